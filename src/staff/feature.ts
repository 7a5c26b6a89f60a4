import type { Feature } from '../core/feature';
import { staffRoutes } from './routes';

export const staffFeature: Feature = { name: 'staff', routes: staffRoutes };
