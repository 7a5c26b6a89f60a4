import type { Generated, Id, Timestamp } from '../core/db/columns';

export interface OutboundEmailTable {
  id: Id;
  case_id: number | null;
  entry_id: number | null;
  kind: 'reply' | 'acknowledgement' | 'survey';
  to_address: string;
  subject: string;
  message_id: string;
  in_reply_to: string | null;
  references: Generated<string[]>;
  text_body: string;
  /** The case's secret this mail carried (subject token and Reply-To); null for mail without a case. */
  reply_secret: string | null;
  reply_to: string | null;
  html_body: string;
  status: Generated<'queued' | 'sent' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
  /** Mail merge: the bodies are this template's, with each \u0001key\u0001 replaced by merge[key] (HTML-escaped in the HTML part). */
  template_id: Generated<number | null>;
  merge: Generated<Record<string, string> | null>;
}

export interface OutboundTemplateTable {
  id: Id; subject: string; text_body: string; html_body: string; created_at: Timestamp;
}
