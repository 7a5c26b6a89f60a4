import type { Feature } from '../core/feature';
import { portalPageRoutes } from './routes';

export const portalFeature: Feature = { name: 'portal', pages: portalPageRoutes };
