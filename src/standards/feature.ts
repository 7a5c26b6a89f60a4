import type { Feature } from '../core/feature';
import { standardsRoutes } from './routes';

export const standardsFeature: Feature = { name: 'standards', routes: standardsRoutes };
