import type { Feature } from '../core/feature';
import { demoRoutes } from './routes';

export const demoFeature: Feature = { name: 'demo', routes: demoRoutes };
