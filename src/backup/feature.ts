import type { Feature } from '../core/feature';
import { scheduledBackup } from './scheduled';

/** Backups: scheduled by a worker here; `kept backup`, `kept restore` and `kept move` in src/cli/backup.ts. */
export const backupFeature: Feature = { name: 'backup', workers: { scheduledBackup } };
