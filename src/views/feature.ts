import type { Feature } from '../core/feature';
import { viewRoutes } from './routes';

export const viewsFeature: Feature = { name: 'views', routes: viewRoutes };
