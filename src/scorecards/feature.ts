import type { Feature } from '../core/feature';
import { scorecardRoutes } from './routes';

export const scorecardsFeature: Feature = { name: 'scorecards', routes: scorecardRoutes };
