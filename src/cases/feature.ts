import type { Feature } from '../core/feature';
import { caseRoutes } from './routes';

export const casesFeature: Feature = { name: 'cases', routes: caseRoutes };
