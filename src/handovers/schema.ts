import type { Generated, Id, Timestamp } from '../core/db/columns';

export type HandoverStatus = 'pending' | 'accepted' | 'declined' | 'expired' | 'withdrawn';

export interface HandoverTable {
  id: Id;
  case_id: number;
  offered_by_id: number;
  from_owner_id: number | null;
  to_staff_id: number | null;
  to_team_id: number | null;
  note: string;
  status: Generated<HandoverStatus>;
  decline_reason: string | null;
  offered_at: Timestamp;
  expires_at: Timestamp;
  answered_at: Timestamp | null;
  answered_by_id: number | null;
}
