import type { Generated, Id, Timestamp } from '../core/db/columns';

export interface PortalLinkTable {
  id: Id; customer_id: number; token_hash: Buffer; language: Generated<string>;
  created_at: Timestamp; expires_at: Timestamp; used_at: Timestamp | null;
}

export interface PortalSessionTable {
  id: Id; customer_id: number; token_hash: Buffer; remember: Generated<boolean>; created_at: Timestamp; expires_at: Timestamp;
}

/** Hits on public endpoints, for rate limits that hold across instances (src/core/rate-limit.ts). */
export interface PublicHitTable { id: Id; key: string; at: Timestamp }
