import type { Feature } from '../core/feature';
import { notificationRoutes } from './routes';
import { notificationSubscribers } from './subscribers';

export const notificationsFeature: Feature = { name: 'notifications', routes: notificationRoutes, subscribers: notificationSubscribers };
