import type { Feature } from '../core/feature';
import { loyaltyRoutes } from './routes';

export const loyaltyFeature: Feature = { name: 'loyalty', routes: loyaltyRoutes };
