import type { Feature } from '../core/feature';
import { myWorkRoutes } from './routes';

export const myWorkFeature: Feature = { name: 'mywork', routes: myWorkRoutes };
