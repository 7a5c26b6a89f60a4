export * from './service';
export type { BusinessHours, Weekday } from './schema';
