import type { Id, Timestamp } from '../core/db/columns';

export interface KudosTable {
  id: Id;
  to_staff_id: number;
  from_staff_id: number | null;
  from_customer_id: number | null;
  case_id: number | null;
  reason: string;
  created_at: Timestamp;
}
