import type { Feature } from '../core/feature';
import { decisionRoutes } from './routes';
import { escalateOverdueApprovals } from './service';

export const decisionsFeature: Feature = { name: 'decisions', routes: decisionRoutes, timers: { escalateOverdueApprovals } };
