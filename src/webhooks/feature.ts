import type { Feature } from '../core/feature';
import { webhookRoutes } from './routes';
import { deliverWebhooks, webhookSubscribers } from './delivery';

export const webhooksFeature: Feature = { name: 'webhooks', routes: webhookRoutes, subscribers: webhookSubscribers, workers: { deliverWebhooks } };
