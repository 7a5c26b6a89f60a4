export * from './service';
export { configureOutbox, outboxConfig } from './config';
