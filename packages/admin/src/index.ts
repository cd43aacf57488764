// Public API of @syncbus/admin: the admin module, its settings, and the extension point for more route groups.
export * from './admin-module';
export * from './admin-settings';
export * from './admin-authenticator';
export { AdminApi, AdminRoutes, ADMIN_PREFIX } from './admin-api';
export * from './admin-schemas';
export { AdminAudit, type AuditRecord } from './admin-audit';
export { AdminJobs, type AdminJob, type JobControl } from './admin-jobs';
export { AdminEventStream, type AdminEvent } from './admin-event-stream';
export { AdminAuditEntry } from './admin-audit-entry.entity';
export { CreateAdminTables1740000000500 } from './create-admin-tables.migration';
export { DEFAULT_PAGE_SIZE } from './staging-task-routes';
