// Entry of @syncbus/connector-amqp (named by "syncbus.modules" in package.json): importing it registers the connector.
export { AmqpConnector, routingKeyOf } from './amqp-connector';
export { AmqpConfigSchema, deadLetterNames, type AmqpConfig } from './amqp-settings';
export {
  InboundMessageSchema,
  readInboundMessage,
  taskGuidOf,
  type InboundTask,
} from './amqp-inbound-message';
