import type { Feature } from '../core/feature';
import { dashboardRoutes } from './routes';

export const dashboardFeature: Feature = { name: 'dashboard', routes: dashboardRoutes };
