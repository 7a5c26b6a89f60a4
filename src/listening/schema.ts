import type { Id, Timestamp } from '../core/db/columns';

export interface ListeningTextTable {
  id: Id; source: 'survey' | 'message'; source_ref: string; case_id: number | null; customer_id: number | null; touchpoint: string | null;
  department_id: number | null; text: string; language: string; sentiment: number; complaint: boolean; at: Timestamp;
}
