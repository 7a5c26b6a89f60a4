export * from './service';
export { RECOVERY_SOURCES, type RecoverySource } from './schema';
