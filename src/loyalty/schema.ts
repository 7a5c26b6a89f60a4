import type { CreatedAt, Id, Timestamp } from '../core/db/columns';

export const ACTIVITY_KINDS = ['purchase', 'visit', 'renewal', 'cancellation'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

export interface CustomerActivityTable {
  id: Id; customer_id: number; kind: ActivityKind; amount: string | number | null; occurred_at: Timestamp; external_ref: string | null; created_at: CreatedAt;
}
