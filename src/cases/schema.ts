import type { Generated, Id, Json, Timestamp } from '../core/db/columns';
import type { Channel } from '../customers/schema';

export const STATUSES = ['new', 'open', 'waiting_on_customer', 'waiting_on_us', 'resolved', 'closed'] as const;
export type CaseStatus = (typeof STATUSES)[number];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface CaseTable {
  id: Id;
  subject: string;
  customer_id: number;
  channel: Channel;
  type: string;
  priority: Priority;
  status: CaseStatus;
  owner_id: number | null;
  team_id: number | null;
  touchpoint: string | null;
  caused_by_department_id: number | null;
  /** An internal request: the department asking (null for a customer's own request). */
  requester_department_id: Generated<number | null>;
  tags: string[];
  opened_at: Timestamp;
  first_responded_at: Timestamp | null;
  resolved_at: Timestamp | null;
  closed_at: Timestamp | null;
  first_response_due_at: Timestamp | null;
  resolution_due_at: Timestamp | null;
  clock_paused_at: Timestamp | null;
  handover_count: Generated<number>;
  updated_at: Timestamp;
  /** When the customer last opened the case in the portal after the latest reply. */
  customer_viewed_reply_at: Timestamp | null;
}

export const ENTRY_KINDS = ['inbound_message', 'outbound_reply', 'internal_note', 'phone_call'] as const;

export interface CaseEntryTable {
  id: Id;
  case_id: number;
  /** A message kind above, or an event: handover_offered, commitment_broken, standard_missed... */
  kind: string;
  author_id: number | null;
  body: string | null;
  data: Json<Record<string, unknown>>;
  created_at: Timestamp;
}
