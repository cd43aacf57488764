// @syncbus/integration/sdk/testing: a real node for a connector's or plugin's own tests, bounded waiting, and
// signed requests. A separate entry so that a connector's runtime never loads the HTTP server it boots.
export { startTestNode, FAST_INTEGRATION, type TestNode, type TestNodeOptions } from './test-node';
export { waitFor } from './wait-for';
export { connectorQueue, connectorSettled, type ConnectorOutcome } from './connector-outcome';
export type { IntegrationSynchronizationInfo } from '../../processing/integration-synchronizations';
export { signedHeaders } from './signed-request';
