// @syncbus/integration/sdk: everything a connector author programs against, from one import. A connector that
// imports only this entry keeps working across the kernel's internal changes.

// The base class, its decorator, and what the bus hands a connector.
export {
  BaseIntegrationConnector,
  type IncomingTaskContext,
  type IncomingRequest,
} from '../connectors/base-integration-connector';
export {
  IntegrationConnector,
  type IntegrationConnectorOptions,
} from '../connectors/integration-connector.decorator';
export type { IntegrationTask } from '../tasks/integration-task';
export type { ExternalTaskMessage } from '../connectors/external-task-message';

// Subscriptions and results.
export {
  ALL,
  type ConnectorSubscription,
  type IntegrationDataType,
  type IntegrationProcessType,
} from '../connectors/connector-subscription';
export {
  IntegrationProcessResult,
  type ProcessingOutcome,
  type ProcessingVerdict,
} from '../processing/integration-process-result';

// Incoming tasks: logging them from a connector's own consumer, and the errors that refuse one.
export { IntegrationHelper, type ExternalTaskOptions } from '../integration-helper';
export type { ExternalTaskInput, LoggedExternalTask } from '../incoming/incoming-task-log';
export { DuplicateExternalTaskError } from '../incoming/duplicate-external-task.error';
export { InvalidIncomingTaskError } from '../integration-errors';

// Translation of references between host identities and external ids.
export { isObjectReference, mapReferences } from '../connectors/reference-translation';

// Config schemas: zod (the copy the kernel validates with), secret references, and problems by path.
export { z } from 'zod';
export {
  SecretRef,
  type ConfigProblem,
  formatProblems,
  type RetryPolicy,
  RetryPolicySchema,
  retryDelayMs,
} from '@syncbus/core';

// The runtime a connector may inject: the node's settings (its name), a logger, the host's object types.
export {
  inject,
  injectable,
  optional,
  CoreSettings,
  Logger,
  ObjectTypes,
  EventCancelledError,
} from '@syncbus/core';
export type { ObjectReference, ObjectSnapshot, TaskType } from '@syncbus/core';

// Signed requests (HMAC over timestamp and body), as the staging protocol and the bundled connectors sign them.
export {
  signHmacRequest,
  checkHmacHeaders,
  checkHmacRequest,
  verifyHmacSignature,
  HMAC_SIGNATURE_HEADER,
  HMAC_TIMESTAMP_HEADER,
  type HmacRequestCheck,
} from '@syncbus/core';

// Bounded reading of what an external system sends back.
export {
  readLimitedText,
  ReplyTooLargeError,
  jsonDepthExceeds,
  MAX_JSON_DEPTH,
  zodProblems,
} from '@syncbus/core';
