import type { CreatedAt, Id } from '../core/db/columns';

export interface ServiceStandardTable {
  id: Id;
  case_type: string | null;
  channel: string | null;
  first_response_minutes: number;
  resolution_minutes: number;
  created_at: CreatedAt;
}
