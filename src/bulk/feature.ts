import type { Feature } from '../core/feature';
import { bulkRoutes } from './routes';

export const bulkFeature: Feature = { name: 'bulk', routes: bulkRoutes };
