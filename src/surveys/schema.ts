import type { ColumnType } from 'kysely';
import type { CreatedAt, Generated, Id, Json, Timestamp } from '../core/db/columns';
import type { Question } from './questions';

export type SurveyTrigger = 'case_resolved' | 'touchpoint' | 'relationship' | 'recovery_follow_up';

export interface SurveyTable {
  id: Id; name: string; trigger: SurveyTrigger; touchpoint: string | null; segment: string | null;
  questions: Json<Question[]>; active: Generated<boolean>; expires_after_days: Generated<number>; created_at: CreatedAt;
  every_days: number | null; next_run_at: Timestamp | null;
}

export interface SurveyInvitationTable {
  id: Id; survey_id: number; customer_id: number; case_id: number | null; token_hash: Buffer; channel: 'email' | 'portal';
  agent_id: number | null; team_id: number | null; department_id: number | null; case_type: string | null; case_channel: string | null;
  touchpoint: string | null; sent_at: Timestamp; expires_at: Timestamp; opened_at: Timestamp | null; recovery_id: Generated<number | null>;
  send_id: Generated<number | null>; outbound_email_id: Generated<number | null>;
}

/** One relationship survey sent to a segment (src/surveys/segment-send.ts). */
export interface SurveySendTable {
  id: Id; survey_id: number; segment: string | null; contacted_within_days: number | null; requested_by_id: number | null;
  customers: number; invited: number; skipped: Json<Record<string, number>>; created_at: Timestamp;
}

export type Expectation = 'below' | 'met' | 'above';

export interface SurveyResponseTable {
  id: Id; survey_id: number; invitation_id: number | null; customer_id: number | null; external_ref: string | null; case_id: number | null;
  agent_id: number | null; team_id: number | null; department_id: number | null; case_type: string | null; case_channel: string | null;
  touchpoint: string | null; answers: Json<Record<string, unknown>>; nps: number | null; ces: number | null; csat: number | null; stay: number | null;
  expectation: Expectation | null; comment: string | null; complaint: Generated<boolean>; started_at: Timestamp;
  updated_at: Timestamp; completed_at: Timestamp | null; imported: Generated<boolean>; recovery_case_id: number | null;
  follow_up_outcome: string | null; follow_up_at: Timestamp | null;
  language: string | null; sentiment: number | null; segment: string | null; attributes: ColumnType<Record<string, string>, string | undefined, string>;
}
