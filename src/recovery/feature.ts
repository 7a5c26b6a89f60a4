import type { Feature } from '../core/feature';
import { recoveryRoutes } from './routes';
import { remindFollowUps } from './service';
import { recoverySubscribers } from './subscribers';

export const recoveryFeature: Feature = { name: 'recovery', routes: recoveryRoutes, timers: { remindFollowUps }, subscribers: recoverySubscribers };
