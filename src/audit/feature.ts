import type { Feature } from '../core/feature';
import { auditRoutes } from './routes';

export const auditFeature: Feature = { name: 'audit', routes: auditRoutes };
