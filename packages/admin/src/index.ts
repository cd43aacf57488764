// Public API of @syncbus/admin: the admin module, its settings, and the extension point for more route groups.
export * from './admin-module';
export * from './admin-settings';
export * from './admin-authenticator';
export { AdminApi, AdminRoutes, ADMIN_PREFIX } from './admin-api';
export * from './admin-schemas';
export { DEFAULT_PAGE_SIZE } from './staging-task-routes';
