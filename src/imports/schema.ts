import type { Timestamp } from '../core/db/columns';

/** What each outside record (a Zendesk user or ticket, a CSV row) became in Kept. */
export interface ImportMappingTable {
  source: string;
  kind: string;
  external_id: string;
  kept_id: number;
  imported_at: Timestamp;
}
