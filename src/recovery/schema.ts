import type { Generated, Id, Timestamp } from '../core/db/columns';

export const RECOVERY_SOURCES = ['broken_commitment', 'missed_standard', 'complaint', 'detractor', 'staff'] as const;
export type RecoverySource = (typeof RECOVERY_SOURCES)[number];

export interface RecoveryTable {
  id: Id; case_id: number; customer_id: number; source: RecoverySource; source_ref: string | null; owner_id: number | null;
  caused_by_department_id: number | null; note: string | null; status: Generated<'open' | 'recovered' | 'late'>;
  opened_at: Timestamp; due_at: Timestamp; apology_at: Timestamp | null; apology_how: string | null; fix_at: Timestamp | null;
  fix_what: string | null; surprise_at: Timestamp | null; surprise_what: string | null; surprise_decision_id: number | null;
  loyalty_before: number | null; follow_up_due_at: Timestamp | null; follow_up_at: Timestamp | null; loyalty_after: number | null;
  loyalty_recovered: boolean | null; follow_up_asked_at: Timestamp | null; follow_up_reminded_at: Timestamp | null;
}
