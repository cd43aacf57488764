// Entry of @syncbus/connector-ndjson (named by "syncbus.modules" in package.json): importing it registers the connector.
export { NdjsonConnector, type NdjsonLine } from './ndjson-connector';
export { NdjsonConfigSchema, type NdjsonConfig } from './ndjson-settings';
