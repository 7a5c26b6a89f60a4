import type { Feature } from '../core/feature';
import { notificationRoutes } from './routes';

export const notificationsFeature: Feature = { name: 'notifications', routes: notificationRoutes };
