import type { Generated, Id, Timestamp } from '../core/db/columns';

export const PRESENCE = ['available', 'busy', 'away', 'offline'] as const;
export type Presence = (typeof PRESENCE)[number];
export const CHAT_LANGUAGES = ['en', 'de', 'fr'] as const;
export type ChatLanguage = (typeof CHAT_LANGUAGES)[number];
export type ConversationStatus = 'open' | 'queued' | 'active' | 'waiting_as_case' | 'ended' | 'abandoned';
export type ChatAuthor = 'visitor' | 'agent' | 'system';

export interface ChatPresenceTable {
  staff_id: number;
  status: Presence;
  capacity: Generated<number>;
  idle_since: Timestamp;
  updated_at: Timestamp;
}

export interface ChatConversationTable {
  id: Id;
  team_id: number | null;
  language: ChatLanguage;
  visitor_token_hash: string;
  status: ConversationStatus;
  email: string | null;
  customer_id: number | null;
  case_id: number | null;
  agent_id: number | null;
  queued_at: Timestamp | null;
  estimated_wait_seconds: number | null;
  accepted_at: Timestamp | null;
  left_at: Timestamp | null;
  expected_at: Timestamp | null;
  ended_at: Timestamp | null;
  last_seq: Generated<number>;
  rate_window_start: Timestamp | null;
  rate_count: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ChatMessageTable {
  conversation_id: number;
  seq: number;
  author: ChatAuthor;
  staff_id: number | null;
  body: string;
  created_at: Timestamp;
}

export interface ChatCannedAnswerTable {
  id: Id;
  title: string;
  body: string;
  created_at: Timestamp;
}
