import type { CreatedAt, Generated, Id, Timestamp } from '../core/db/columns';

export const CHANNELS = ['email', 'phone', 'chat', 'web', 'in_person', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface CustomerTable {
  id: Id;
  name: string;
  title: string | null;
  given_name: string | null;
  family_name: string | null;
  first_name_ok: Generated<boolean>;
  preferred_channel: Channel | null;
  language: string | null;
  notes: string | null;
  segment: string | null;
  merged_into_id: number | null;
  /** Erased on the customer's request (src/privacy): the row stays for the figures, the person is gone. */
  erased_at?: Timestamp | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface CustomerEmailTable {
  email: string;
  customer_id: number;
}

export interface CustomerPhoneTable {
  phone: string;
  customer_id: number;
}
