import type { Id, Timestamp } from '../core/db/columns';

export interface MacroTable {
  id: Id;
  name: string;
  body: string;
  owner_id: number | null;
  team_id: number | null;
  created_by_id: number;
  created_at: Timestamp;
  updated_at: Timestamp | null;
}
