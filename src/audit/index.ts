export { recordAudit, changedFields, auditTrail } from './service';
export type { AuditedEntity } from './service';
