import type { Id, Json, Timestamp } from '../core/db/columns';

export interface AuditTable {
  id: Id;
  at: Timestamp;
  actor_id: number | null;
  entity: string;
  entity_id: number;
  action: string;
  before: Json<unknown> | null;
  after: Json<unknown> | null;
}
