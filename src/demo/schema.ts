import type { ColumnType } from 'kysely';
import type { Timestamp } from '../core/db/columns';

/** One row at most: the demo year being written, or written. */
export interface DemoSeedingTable {
  id: ColumnType<number, number | undefined, never>;
  started_at: ColumnType<Date, Date | string | undefined, Date | string>;
  finished_at: Timestamp | null;
  phase: string;
  done: number;
  total: number;
}
