// Sends outgoing tasks to an HTTP endpoint as signed JSON, and accepts signed calls back as incoming tasks.
import {
  checkHmacHeaders,
  checkHmacRequest,
  CoreSettings,
  HMAC_SIGNATURE_HEADER,
  HMAC_TIMESTAMP_HEADER,
  inject,
  readLimitedText,
  ReplyTooLargeError,
  signHmacRequest,
  type ConfigProblem,
  type ObjectSnapshot,
  type TaskType,
  BaseIntegrationConnector,
  IntegrationConnector,
  type ExternalTaskInput,
  type IncomingRequest,
  type IncomingTaskContext,
  type IntegrationTask,
  type ProcessingOutcome,
} from '@syncbus/integration/sdk';
import { IDEMPOTENCY_KEY_HEADER, type WebhookPayload } from './webhook-payload';

/** Most of an error reply's body the connector reads (64 KiB). */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
import { failureOf, outcomeOf } from './webhook-response';
import { WebhookConfigSchema, type WebhookConfig } from './webhook-settings';

const VERSION = '0.1.0';

/**
 * Outgoing: one POST per task, signed like the staging wire format (`X-Syncbus-Timestamp`,
 * `X-Syncbus-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`) with the task guid as
 * `Idempotency-Key`; the bus retries Errors with backoff (never sooner than `Retry-After`), in order per object.
 * Incoming: the node's route `POST /syncbus/integration/v1/connectors/webhook/tasks` accepts calls signed the
 * same way. For a second endpoint, subclass this and decorate the subclass with another name.
 */
@IntegrationConnector({
  name: 'webhook',
  displayName: 'Webhook',
  version: VERSION,
  configSchema: WebhookConfigSchema,
})
export class WebhookConnector extends BaseIntegrationConnector<WebhookConfig> {
  constructor(@inject(CoreSettings) private readonly core: CoreSettings) {
    super();
  }

  override init(config: WebhookConfig | undefined): void {
    // An invalid config is undefined here; subscribe to everything so tasks wait rather than vanish.
    for (const objectType of config?.objectTypes ?? ['*'])
      this.subscribeToObjects('async', objectType, '*', config?.dataType ?? 'simple');
  }

  override async processQueuedTask(task: IntegrationTask): Promise<ProcessingOutcome> {
    const { url, secret, timeoutMs, headers, on4xx } = this.config;
    const body = JSON.stringify(await this.payload(task));
    const timestamp = Math.floor(Date.now() / 1000);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        // A redirect would carry the signed body to an address nobody configured.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          ...headers,
          'content-type': 'application/json',
          'user-agent': `syncbus-connector-webhook/${VERSION}`,
          [HMAC_TIMESTAMP_HEADER]: String(timestamp),
          [HMAC_SIGNATURE_HEADER]: signHmacRequest(secret.reveal(), timestamp, body),
          [IDEMPOTENCY_KEY_HEADER]: task.guid,
        },
        body,
      });
    } catch (error) {
      return failureOf(error, url, timeoutMs);
    }
    let text = '';
    if (response.ok) {
      // The body of a 2xx is not read: whatever the receiver wrote, the task arrived.
      await response.body?.cancel().catch(() => undefined);
    } else {
      // Only a snippet of an error reply ends in the log: read at most 64 KiB of it, whatever the endpoint sends.
      text = await readLimitedText(response, MAX_ERROR_BODY_BYTES).catch((error: unknown) =>
        error instanceof ReplyTooLargeError
          ? `(the reply body exceeds ${MAX_ERROR_BODY_BYTES} bytes and was not read)`
          : '',
      );
    }
    return outcomeOf(
      {
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        location: response.headers.get('location'),
        body: text,
      },
      on4xx,
      url,
    );
  }

  /** Refuses, before the body is read, a request without both signature headers or with a stale timestamp. */
  override authenticateIncomingHeaders(
    headers: Readonly<Record<string, string | undefined>>,
  ): boolean | undefined {
    const incoming = this.config.incoming;
    if (!incoming) return undefined;
    const verdict = checkHmacHeaders({
      timestamp: headers[HMAC_TIMESTAMP_HEADER],
      signature: headers[HMAC_SIGNATURE_HEADER],
      toleranceSeconds: incoming.toleranceSeconds,
    });
    return verdict === 'ok' ? undefined : false;
  }

  /** Verifies the signature and timestamp window of an inbound call; no `incoming` config: bearer token rules. */
  override authenticateIncoming(request: IncomingRequest): boolean | undefined {
    const incoming = this.config.incoming;
    if (!incoming) return undefined;
    return (
      checkHmacRequest({
        secret: (incoming.secret ?? this.config.secret).reveal(),
        timestamp: request.headers[HMAC_TIMESTAMP_HEADER],
        signature: request.headers[HMAC_SIGNATURE_HEADER],
        rawBody: request.rawBody,
        toleranceSeconds: incoming.toleranceSeconds,
      }) === 'ok'
    );
  }

  /** Refused at the door rather than failing later in the queue: the id and a properties object are required. */
  override incomingTaskProblems(task: ExternalTaskInput): readonly ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    if (task.externalId === undefined) {
      problems.push({ path: 'externalId', message: "is required: the object's id in the sending system" });
    }
    const object = task.externalObject;
    if (object === null || typeof object !== 'object' || Array.isArray(object)) {
      problems.push({ path: 'object', message: 'must be a JSON object of property values' });
    }
    return problems;
  }

  /**
   * An inbound task's `object` holds the object's properties by name; `externalId` identifies it. A value
   * `{ "$ref": { "type": "cms.category", "id": "<external id>" } }` references another object by its external id.
   */
  override prepareInternalObject(
    external: unknown,
    _taskType: TaskType,
    context: IncomingTaskContext,
  ): Promise<ObjectSnapshot> {
    return this.snapshotFromExternal(external, context);
  }

  private payload(task: IntegrationTask): Promise<WebhookPayload> {
    return this.externalMessage(task, this.core.nodeName);
  }
}
