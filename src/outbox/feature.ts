import type { Feature } from '../core/feature';
import { deliverDueEmails } from './service';

export const outboxFeature: Feature = { name: 'outbox', workers: { deliverDueEmails } };
