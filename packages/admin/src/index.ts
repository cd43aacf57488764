// Public API of @syncbus/admin, for hosts: the admin module, its settings, the audit trail, background jobs, the
// event stream, and the API's wire shapes (zod schemas, each also a type). Route groups contribute through
// @syncbus/server's AdminRoutes.
export { AdminModule } from './admin-module';
export { AdminRole, AdminSettings } from './admin-settings';
export { AdminAudit } from './admin-audit';
export { AdminJobs, type AdminJob, type JobControl } from './admin-jobs';
export { AdminEventStream } from './admin-event-stream';
export * from './admin-schemas';
export * from './conflict-schemas';
