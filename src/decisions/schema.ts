import type { Generated, Id, Timestamp } from '../core/db/columns';

export interface DecisionKindTable { id: Id; key: string; name: string; active: Generated<boolean> }

export interface AuthorityLimitTable { id: Id; kind_id: number; role: string | null; staff_id: number | null; amount: number; currency: string }

export interface PolicyRuleTable {
  id: Id; kind_id: number; description: string; max_amount: number; currency: string; no_claim_days: number;
  active: Generated<boolean>; created_at: Generated<Date>;
}

export type DecisionStatus = 'approved' | 'pending' | 'declined';

export interface DecisionTable {
  id: Id; case_id: number; customer_id: number; kind_id: number; amount: number; currency: string; reason: string;
  requested_by_id: number; team_id: number | null; department_id: number | null; status: DecisionStatus;
  within_authority: boolean; limit_amount: number; auto_rule_id: number | null; approver_id: number | null;
  approval_due_at: Timestamp | null; escalated_at: Timestamp | null; decided_by_id: number | null; decided_at: Timestamp | null;
  decline_reason: string | null; recovery_id: number | null; created_at: Timestamp;
}
