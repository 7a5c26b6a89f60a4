import type { Feature } from '../core/feature';
import { liveRoutes } from './routes';

export const liveFeature: Feature = { name: 'live', routes: (api, services) => liveRoutes(api, services.hub) };
