import type { Feature } from '../core/feature';
import { staffingRoutes } from './routes';

export const staffingFeature: Feature = { name: 'staffing', routes: staffingRoutes };
