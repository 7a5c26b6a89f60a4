import type { Feature } from '../core/feature';
import { contactPageRoutes } from './routes';

export const contactFeature: Feature = { name: 'contact', pages: contactPageRoutes };
