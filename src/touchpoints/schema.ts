import type { CreatedAt, Id } from '../core/db/columns';

export interface TouchpointTable {
  id: Id;
  /** What cases, surveys and answers store: lower-case, stable when the name changes. */
  key: string;
  name: string;
  department_id: number | null;
  moment_of_truth: boolean;
  after_id: number | null;
  created_at: CreatedAt;
}
