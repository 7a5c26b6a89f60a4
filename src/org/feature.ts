import type { Feature } from '../core/feature';
import { orgRoutes } from './routes';

export const orgFeature: Feature = { name: 'org', routes: orgRoutes };
