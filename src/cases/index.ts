export * from './service';
export { STATUSES, PRIORITIES, type CaseStatus, type Priority } from './schema';
