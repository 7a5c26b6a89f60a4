import type { Id, Timestamp } from '../core/db/columns';

export interface NotificationTable {
  id: Id;
  staff_id: number;
  kind: string;
  case_id: number | null;
  message: string;
  created_at: Timestamp;
  read_at: Timestamp | null;
}
