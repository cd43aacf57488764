// Public API of @syncbus/admin: the admin module, its settings and services (route groups contribute through
// @syncbus/server's AdminRoutes).
export * from './admin-module';
export * from './admin-settings';
export * from './admin-authenticator';
export { AdminApi } from './admin-api';
export * from './admin-schemas';
export * from './conflict-schemas';
export { AdminAudit } from './admin-audit';
export { AdminJobs, type AdminJob, type JobControl } from './admin-jobs';
export { AdminEventStream } from './admin-event-stream';
export { AdminAuditEntry } from './admin-audit-entry.entity';
export { CreateAdminTables1740000000500 } from './create-admin-tables.migration';
