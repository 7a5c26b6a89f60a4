import type { CreatedAt, Generated, Id, Timestamp } from '../core/db/columns';

export type InboundStatus = 'received' | 'processed' | 'quarantined' | 'ignored';

export interface InboundEmailTable {
  id: Id;
  source: string;
  envelope_from: string | null;
  envelope_to: Generated<string[]>;
  raw: Buffer;
  received_at: Timestamp;
  status: Generated<InboundStatus>;
  reason: string | null;
  message_id: string | null;
  automatic: string | null;
  case_id: number | null;
  entry_id: number | null;
  processed_at: Timestamp | null;
  attempts: Generated<number>;
  /** When retention or an erasure emptied raw (src/privacy). */
  raw_erased_at?: Timestamp | null;
}

export interface AttachmentTable {
  id: Id;
  case_id: number | null;
  entry_id: number | null;
  inbound_email_id: number | null;
  filename: string;
  declared_type: string | null;
  content_type: string;
  size: number;
  sha256: string;
  created_at: Timestamp;
}

export interface MailboxTable {
  id: Id;
  name: string;
  host: string;
  port: number;
  secure: Generated<boolean>;
  username: string;
  /** Sealed with the secret key (core/secrets.ts); rows from before sealing are plain until the poller seals them. */
  password: string;
  folder: Generated<string>;
  move_to: string | null;
  active: Generated<boolean>;
  last_error: string | null;
  last_polled_at: Timestamp | null;
  created_at: CreatedAt;
}
