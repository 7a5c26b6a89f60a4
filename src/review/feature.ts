import type { Feature } from '../core/feature';
import { reviewRoutes } from './routes';

export const reviewFeature: Feature = { name: 'review', routes: reviewRoutes };
