import type { Feature } from '../core/feature';
import { listeningRoutes } from './routes';
import { listeningSubscribers } from './subscribers';

export const listeningFeature: Feature = { name: 'listening', routes: listeningRoutes, subscribers: listeningSubscribers };
