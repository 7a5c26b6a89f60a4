import type { Feature } from '../core/feature';
import { loyaltyInputRoutes } from './routes';

export const loyaltyInputsFeature: Feature = { name: 'loyalty-inputs', routes: loyaltyInputRoutes };
