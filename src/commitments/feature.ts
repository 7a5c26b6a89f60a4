import type { Feature } from '../core/feature';
import { commitmentRoutes } from './routes';
import { breakOverdueCommitments, warnOfDueCommitments } from './timers';
import { commitmentSubscribers } from './subscribers';

export const commitmentsFeature: Feature = {
  name: 'commitments', routes: commitmentRoutes, timers: { warnOfDueCommitments, breakOverdueCommitments }, subscribers: commitmentSubscribers,
};
