// Entry of @syncbus/connector-webhook (named by "syncbus.modules" in package.json): importing it registers the connector.
export { WebhookConnector } from './webhook-connector';
export { WebhookConfigSchema, type WebhookConfig } from './webhook-settings';
export { IDEMPOTENCY_KEY_HEADER, type WebhookPayload } from './webhook-payload';
export {
  failureOf,
  MAX_RETRY_AFTER_MS,
  outcomeOf,
  retryAfterMs,
  snippet,
  type WebhookReply,
} from './webhook-response';
