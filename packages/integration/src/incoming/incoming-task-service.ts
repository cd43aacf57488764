// What an HTTP route needs to let an external system post tasks for a named connector: auth, validation, logging.
import {
  inject,
  injectable,
  ValidationError,
  type ConfigProblem,
  jsonDepthExceeds,
  MAX_JSON_DEPTH,
  zodProblems,
} from '@syncbus/core';
import { sameSecret } from '@syncbus/core/internal';
import { z } from 'zod';
import { IntegrationConnectorRegistry } from '../connectors/integration-connector-registry';
import { InvalidIncomingTaskError } from '../integration-errors';
import { BaseIntegrationConnector, type IncomingRequest } from '../connectors/base-integration-connector';
import { hasValidConfig, type LoadedConnector } from '../connectors/loaded-connector';
import { DuplicateExternalTaskError } from './duplicate-external-task.error';
import { IncomingTaskError } from './incoming-task-error';
import { IncomingTaskLog } from './incoming-task-log';

/** Body of a post: `{ tasks: [{ taskType, objectType, externalId?, title?, dataType?, guid?, object }] }`. */
export const IncomingTasksBodySchema = z
  .object({
    tasks: z
      .array(
        z
          .object({
            taskType: z.string().min(1).max(50),
            objectType: z.string().min(1).max(200),
            externalId: z.string().min(1).max(400).optional(),
            title: z.string().max(400).optional(),
            dataType: z.enum(['simple', 'snapshot']).optional(),
            /** The sender's task id: a guid the connector already received is answered `duplicate`, not logged. */
            guid: z.string().min(1).max(36).optional(),
            object: z.unknown().refine((value) => value !== undefined, 'is required (the external object)'),
          })
          .strict(),
      )
      .min(1)
      .max(500),
  })
  .strict();

/**
 * What the caller presented; a route reads `token` from `Authorization: Bearer <token>` and passes the request's
 * headers and exact body bytes for connectors that authenticate requests themselves (`authenticateIncoming`).
 */
export interface IncomingCredentials {
  readonly token?: string;
  readonly request?: IncomingRequest;
}

/** The answer to an accepted post (HTTP 202): each task's guid and whether it was logged. */
export interface IncomingTasksReceipt {
  readonly tasks: readonly {
    readonly guid?: string;
    readonly status: 'accepted' | 'cancelled' | 'duplicate';
    readonly reason?: string;
  }[];
}

/**
 * Accepts incoming tasks for a connector. The connector's `incomingToken` (a SecretRef in its config entry) is
 * the credential; the body is validated whole before anything is logged; tasks are logged in one transaction.
 */
@injectable()
export class IncomingTaskService {
  constructor(
    @inject(IntegrationConnectorRegistry) private readonly registry: IntegrationConnectorRegistry,
    @inject(IncomingTaskLog) private readonly log: IncomingTaskLog,
  ) {}

  /**
   * Authenticates, validates and logs; when refused throws `IncomingTaskError`, a `ValidationError` (INVALID_BODY,
   * the fields by path) or `IntegrationDisabledError`, each with the kind that gives its HTTP status.
   */
  async accept(
    connectorName: string,
    credentials: IncomingCredentials,
    body: unknown,
  ): Promise<IncomingTasksReceipt> {
    return this.validateAndLog(await this.authenticated(connectorName, credentials), body);
  }

  /**
   * `accept` for an HTTP request whose body is still raw JSON: authenticates first (the connector's
   * `authenticateIncoming` sees the exact bytes) and parses the body only for an authenticated caller, so a
   * stranger's body is never parsed; invalid JSON is `MALFORMED_JSON` (400).
   */
  async acceptRequest(
    connectorName: string,
    request: IncomingRequest,
    token?: string,
  ): Promise<IncomingTasksReceipt> {
    const connector = await this.authenticated(connectorName, { token, request });
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody.toString('utf8'));
    } catch (error) {
      throw new IncomingTaskError(
        'MALFORMED_JSON',
        'invalid',
        `The body is not valid JSON: ${(error as Error).message}`,
      );
    }
    if (jsonDepthExceeds(body)) {
      throw new IncomingTaskError(
        'INVALID_BODY',
        'invalid',
        `The body nests deeper than ${MAX_JSON_DEPTH} levels; send flatter objects.`,
      );
    }
    return this.validateAndLog(connector, body);
  }

  /**
   * What can be refused from the headers alone, before the body is read: an unknown connector, the bearer token
   * of a connector that authenticates by token only (one without its own `authenticateIncoming`), and whatever a
   * connector's `authenticateIncomingHeaders` refuses. The rest is decided by `acceptRequest`.
   */
  async checkHeaders(
    connectorName: string,
    headers: Readonly<Record<string, string | undefined>>,
    token?: string,
  ): Promise<void> {
    const connector = this.registry.find(connectorName);
    if (!connector) throw wrongToken(connectorName);
    const checksBody =
      hasValidConfig(connector) &&
      connector.instance.authenticateIncoming !== BaseIntegrationConnector.prototype.authenticateIncoming;
    if (!checksBody) return this.authenticate(connector, { token });
    let verdict: boolean | undefined;
    try {
      verdict = connector.instance.authenticateIncomingHeaders(headers);
    } catch {
      verdict = false; // what it threw may echo request data
    }
    if (verdict === false) throw refusedCredentials(connector.name);
  }

  /** The connector, once the caller's credentials for it hold. */
  private async authenticated(
    connectorName: string,
    credentials: IncomingCredentials,
  ): Promise<LoadedConnector> {
    const connector = this.registry.find(connectorName);
    // An unknown name is answered exactly as a wrong token, so a stranger cannot list the connectors.
    if (!connector) throw wrongToken(connectorName);
    await this.authenticate(connector, credentials);
    return connector;
  }

  /** Validates the whole body, then logs its tasks in one transaction. */
  private async validateAndLog(connector: LoadedConnector, body: unknown): Promise<IncomingTasksReceipt> {
    const parsed = IncomingTasksBodySchema.safeParse(body);
    if (!parsed.success) throw invalidBody(zodProblems(parsed.error));
    let results;
    try {
      results = await this.log.log(
        connector,
        parsed.data.tasks.map((t) => ({
          externalObject: t.object,
          taskType: t.taskType,
          objectType: t.objectType,
          externalId: t.externalId,
          title: t.title,
          dataType: t.dataType,
          guid: t.guid,
        })),
      );
    } catch (error) {
      // An IntegrationDisabledError (INTEGRATION_DISABLED, 503) goes on as it is.
      if (error instanceof InvalidIncomingTaskError) throw invalidBody(error.problems, 'tasks.');
      throw error;
    }
    return {
      tasks: results.map((r) => {
        if (r instanceof DuplicateExternalTaskError) return { guid: r.guid, status: 'duplicate' as const };
        if ('guid' in r) return { guid: r.guid, status: 'accepted' as const };
        return { status: 'cancelled' as const, reason: r.reason };
      }),
    };
  }

  /** The connector's own `authenticateIncoming` decides when it answers; otherwise its `incomingToken`. */
  private async authenticate(connector: LoadedConnector, credentials: IncomingCredentials): Promise<void> {
    const name = connector.name;
    // A connector whose config was refused is not asked (its `config` has no value): its incomingToken decides.
    if (credentials.request && hasValidConfig(connector)) {
      let verdict: boolean | undefined;
      try {
        verdict = await connector.instance.authenticateIncoming(credentials.request);
      } catch {
        // A throwing check refuses; what it threw may echo request data, so it is not passed on.
        verdict = false;
      }
      if (verdict === true) return;
      if (verdict === false) throw refusedCredentials(name);
    }
    if (!connector.incomingToken) {
      throw new IncomingTaskError(
        'INCOMING_NOT_CONFIGURED',
        'forbidden',
        `Connector '${name}' does not accept incoming tasks over HTTP; give its config entry an incomingToken.`,
      );
    }
    if (!sameSecret(credentials.token, connector.incomingToken.reveal())) throw wrongToken(name);
  }
}

function wrongToken(connectorName: string): IncomingTaskError {
  return new IncomingTaskError(
    'UNAUTHORIZED',
    'unauthenticated',
    `Missing or wrong token for connector '${connectorName}'; send Authorization: Bearer <token>.`,
  );
}

function refusedCredentials(connectorName: string): IncomingTaskError {
  return new IncomingTaskError(
    'UNAUTHORIZED',
    'unauthenticated',
    `Connector '${connectorName}' refused the request's credentials; sign or authenticate it as that connector's documentation says.`,
  );
}

/** 400 `INVALID_BODY` listing every problem by its path in the body (`prefix` + the problem's own path). */
function invalidBody(found: readonly ConfigProblem[], prefix = ''): ValidationError {
  return new ValidationError(
    'INVALID_BODY',
    'The body is not a valid list of incoming tasks; fix these fields and send it again',
    found.map((p) => ({ ...p, path: p.path ? `${prefix}${p.path}` : p.path })),
  );
}
