// Public API of @syncbus/testing: a real node for a plugin's own tests, bounded waiting, and signed requests.
export { startTestNode, FAST_INTEGRATION, type TestNode, type TestNodeOptions } from './test-node';
export { waitFor } from './wait-for';
export { connectorSettled, type ConnectorOutcome } from './connector-outcome';
export { signedHeaders } from './signed-request';
