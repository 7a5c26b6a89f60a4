/**
 * The tables the core itself owns (idempotency keys, the domain event stream). The whole schema
 * is this interface merged with every feature's tables, composed by the app in src/schema.ts:
 * the core knows no product word.
 */
import type { ColumnType } from 'kysely';
import type { CreatedAt, Generated, Id, Json, Timestamp } from './columns';

export interface IdempotencyKeyTable {
  staff_id: number;
  key: string;
  request_hash: string;
  status_code: number;
  response: Json<unknown>;
  created_at: CreatedAt;
}

/** xid8 comes back from pg as a string; written as a string too. */
type Xid8 = ColumnType<string, string | undefined, string>;

export interface DomainEventTable {
  id: Id;
  tx_id: Xid8;
  type: string;
  version: Generated<number>;
  occurred_at: Timestamp;
  actor_id: number | null;
  case_id: number | null;
  customer_id: number | null;
  payload: Json<Record<string, unknown>>;
}

export interface EventCursorTable {
  subscriber: string;
  last_tx_id: Xid8;
  last_id: Generated<number>;
  attempts: Generated<number>;
  retry_at: Timestamp | null;
  last_error: string | null;
  updated_at: Generated<Date>;
}

export interface EventFailureTable {
  id: Id;
  subscriber: string;
  event_id: number;
  error: string;
  failed_at: Timestamp;
  resolved_at: Timestamp | null;
}

export interface Database {
  idempotency_keys: IdempotencyKeyTable;
  domain_events: DomainEventTable;
  event_cursors: EventCursorTable;
  event_failures: EventFailureTable;
}
