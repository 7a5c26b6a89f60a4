import type { Generated, Id, Timestamp } from '../core/db/columns';

export interface WebhookTable {
  id: Id;
  url: string;
  description: string | null;
  events: string[];
  secret: string;
  previous_secret: string | null;
  previous_secret_until: Timestamp | null;
  active: Generated<boolean>;
  disabled_reason: string | null;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

export interface WebhookDeliveryTable {
  id: Id;
  webhook_id: number;
  event_id: number;
  order_key: string;
  status: Generated<DeliveryStatus>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  leased_until: Timestamp | null;
  last_status_code: number | null;
  last_error: string | null;
  last_duration_ms: number | null;
  created_at: Timestamp;
  delivered_at: Timestamp | null;
}
