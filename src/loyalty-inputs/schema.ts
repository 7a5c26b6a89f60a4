import type { Id, Timestamp } from '../core/db/columns';

export interface LoyaltyInputTable { key: string; leader_id: number | null; updated_at: Timestamp }
export interface LoyaltyInputRatingTable {
  id: Id; input_key: string; quarter: string; rater_id: number; current_level: number; target_level: number; evidence: string | null; rated_at: Timestamp;
}
export interface LoyaltyInputActionTable { id: Id; input_key: string; commitment_id: number; created_at: Timestamp }
