import type { Generated, Id, Timestamp } from '../core/db/columns';

export type CommitmentKind = 'promise' | 'first_response' | 'resolution';
export type CommitmentStatus = 'open' | 'kept' | 'renegotiated' | 'broken';
/** Statuses in which a commitment is still to be kept (and can still break). */
export const LIVE_STATUSES: CommitmentStatus[] = ['open', 'renegotiated'];

export interface CommitmentTable {
  id: Id;
  case_id: number | null;
  customer_id: number | null;
  kind: Generated<CommitmentKind>;
  text: string;
  owner_id: number | null;
  team_id: number | null;
  department_id: number | null;
  status: Generated<CommitmentStatus>;
  due_at: Timestamp;
  warn_at: Timestamp | null;
  warned_at: Timestamp | null;
  paused_at: Timestamp | null;
  renegotiation_count: Generated<number>;
  created_by_id: number | null;
  created_at: Timestamp;
  kept_at: Timestamp | null;
  broken_at: Timestamp | null;
}

export interface CommitmentRenegotiationTable {
  id: Id;
  commitment_id: number;
  previous_due_at: Timestamp;
  new_due_at: Timestamp;
  customer_told_how: string;
  customer_told_at: Timestamp;
  note: string | null;
  by_id: number;
  created_at: Timestamp;
}
