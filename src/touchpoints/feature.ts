import type { Feature } from '../core/feature';
import { touchpointRoutes } from './routes';

export const touchpointsFeature: Feature = { name: 'touchpoints', routes: touchpointRoutes };
