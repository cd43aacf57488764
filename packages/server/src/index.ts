// Public API of @syncbus/server: the HTTP node module, its server and the route extension point.
export * from './server-module';
export * from './http-settings';
export * from './http-route-contribution';
export * from './syncbus-http-server';
export * from './metrics-contribution';
export * from './json-content-type';
export * from './health-route';
export * from './node-metrics';
export * from './metrics-route';
export * from './admin-route-contribution';
export * from './admin-paging';
