import type { Feature } from '../core/feature';
import { handoverRoutes } from './routes';
import { expireHandovers } from './service';

export const handoversFeature: Feature = { name: 'handovers', routes: handoverRoutes, timers: { expireHandovers } };
