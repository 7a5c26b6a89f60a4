export * from './service';
export * from './standard-clock';
export { breakOverdueCommitments, warnOfDueCommitments } from './timers';
export { LIVE_STATUSES, type CommitmentKind, type CommitmentStatus } from './schema';
