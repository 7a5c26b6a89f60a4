import type { CreatedAt, Generated, Id, Json, Timestamp } from '../core/db/columns';
import type { ColumnType } from 'kysely';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
/** Opening intervals per weekday, local time "HH:MM"; a missing or empty day is closed. */
export type BusinessHours = Partial<Record<Weekday, [string, string][]>>;

export interface OrganisationTable {
  id: Generated<number>;
  name: string;
  time_zone: string;
  business_hours: Json<BusinessHours>;
  handover_expiry_minutes: Generated<number>;
  commitment_warning_minutes: Generated<number>;
  support_addresses: Generated<string[]>;
  approval_response_minutes: Generated<number>;
  recovery_follow_up_days: Generated<number>;
  survey_cooldown_days: Generated<number>;
  inbound_team_id: number | null;
  portal_reopen_days: Generated<number>;
  updated_at: Timestamp;
  /** How many times a bad experience weighs more than a good one on the journey map (numeric: read as a string). */
  bad_experience_weight: ColumnType<string, number | undefined, number>;
  star_excluded_categories: Generated<string[]>;
}

export interface HolidayTable {
  day: string;
  name: string;
}

export interface DepartmentTable {
  id: Id;
  name: string;
  description: string | null;
  serves_external_customers: Generated<boolean>;
  created_at: CreatedAt;
}

export interface TeamTable {
  id: Id;
  name: string;
  department_id: number | null;
  lead_id: number | null;
  auto_assign: Generated<boolean>;
  open_case_capacity: Generated<number>;
  last_routed_staff_id: number | null;
  created_at: CreatedAt;
}
