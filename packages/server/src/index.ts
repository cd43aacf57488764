// Public API of @syncbus/server, for hosts and plugin authors: the HTTP node module, its server, and the extension
// points for routes, metrics and admin route groups.
export { ServerModule } from './server-module';
export { HttpSettings } from './http-settings';
export { HttpRouteContribution } from './http-route-contribution';
export { SyncbusHttpServer } from './syncbus-http-server';
export { MetricsContribution } from './metrics-contribution';
export {
  ADMIN_PREFIX,
  type AdminRole,
  type AdminPrincipal,
  type AuditRecord,
  type AdminAuditTrail,
  type AdminEvent,
  type AdminRouteContext,
  AdminRoutes,
  type QueueLag,
  QueueLagSource,
} from './admin-route-contribution';
export {
  encodeCursor,
  decodeCursor,
  readPageRequest,
  readPageLimit,
  toPage,
  type RowPosition,
  DEFAULT_PAGE_SIZE,
  type PageRequest,
  ErrorBody,
  ActionResult,
} from './admin-paging';
export {
  HTTP_STATUS_OF_KIND,
  httpStatusOf,
  errorBodyOf,
  sendError,
  httpErrorHandler,
  type HttpErrorBody,
} from './http-errors';
