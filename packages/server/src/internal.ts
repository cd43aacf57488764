// @syncbus/server/internal: what syncbus's own packages share with the HTTP node. Not a public API.
export { HttpSettingsSchema } from './http-settings';
export { isJsonContentType, headerMap, UnsupportedMediaTypeError } from './json-content-type';
export { HealthRoute } from './health-route';
export { NodeMetrics } from './node-metrics';
export { MetricsRoute } from './metrics-route';
