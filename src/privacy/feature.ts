import type { Feature } from '../core/feature';
import { privacyRoutes } from './routes';
import { expireRawEmails } from './retention';

/** Data rights: a customer's export and erasure, and retention rules per data kind. */
export const privacyFeature: Feature = { name: 'privacy', routes: privacyRoutes, timers: { expireRawEmails } };
