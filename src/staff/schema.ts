import type { CreatedAt, Generated, Id, Timestamp } from '../core/db/columns';

export const ROLES = ['agent', 'lead', 'manager', 'admin', 'executive'] as const;
export type Role = (typeof ROLES)[number];

export interface StaffTable {
  id: Id;
  name: string;
  email: string;
  role: Role;
  department_id: number | null;
  team_id: number | null;
  password_hash: string | null;
  active: Generated<boolean>;
  available: Generated<boolean>;
  open_case_capacity: number | null;
  created_at: CreatedAt;
}

export interface SessionTable {
  token_hash: Buffer;
  staff_id: number;
  created_at: CreatedAt;
  expires_at: Timestamp;
}

export interface ApiTokenTable {
  id: Id;
  staff_id: number;
  name: string;
  token_hash: Buffer;
  created_at: CreatedAt;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface SignInFailureTable {
  id: Id;
  key: string;
  failed_at: Timestamp;
}
