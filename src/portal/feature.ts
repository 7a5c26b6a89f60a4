import type { Feature } from '../core/feature';
import { portalPageRoutes } from './routes';
import { forgetExpiredSignIns } from './service';

export const portalFeature: Feature = { name: 'portal', pages: portalPageRoutes, timers: { forgetExpiredSignIns } };
