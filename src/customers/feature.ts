import type { Feature } from '../core/feature';
import { customerRoutes } from './routes';

export const customersFeature: Feature = { name: 'customers', routes: customerRoutes };
