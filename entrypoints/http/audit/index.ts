export { auditRouter, type AuditRouterDeps } from './router';
export { rejectAuditorWrites, type AuditorSource } from './auditor-auth';
