import type { Feature } from '../core/feature';
import { macroRoutes } from './routes';

export const macrosFeature: Feature = { name: 'macros', routes: macroRoutes };
