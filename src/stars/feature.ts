import type { Feature } from '../core/feature';
import { starRoutes } from './routes';

export const starsFeature: Feature = { name: 'stars', routes: starRoutes };
