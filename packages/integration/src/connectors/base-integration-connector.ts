// The base class third parties extend to publish a connector (Kentico's BaseIntegrationConnector).
import {
  SyncbusError,
  type ConfigProblem,
  type ObjectReference,
  type ObjectSnapshot,
  type TaskType,
} from '@syncbus/core';
import type { ExternalTaskInput } from '../incoming/incoming-task-log';
import type { IntegrationProcessResult, ProcessingOutcome } from '../processing/integration-process-result';
import type { IntegrationTask } from '../tasks/integration-task';
import { connectorRuntimeOf } from './connector-runtime';
import type { ExternalTaskMessage } from './external-task-message';
import {
  ALL,
  type ConnectorSubscription,
  type IntegrationDataType,
  type IntegrationProcessType,
} from './connector-subscription';
import { mapReferences } from './reference-translation';

/** What `prepareInternalObject` is told about an incoming task besides the external object. */
export interface IncomingTaskContext {
  /** The object type the sender named. */
  readonly objectType: string;
  /** The sender's id of the object, when it gave one. */
  readonly externalId?: string;
  readonly dataType: IntegrationDataType;
}

/** An HTTP request posting incoming tasks for a connector, as `authenticateIncoming` sees it. */
export interface IncomingRequest {
  /** Header values by lower-case name. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body's exact bytes (signatures cover these). */
  readonly rawBody: Buffer;
}

/**
 * Extend this, decorate it with `@IntegrationConnector({ name, configSchema, ... })`, and publish it in a package
 * whose package.json has `"syncbus": { "modules": "dist/index.js" }`. Declare subscriptions in `init()`; handle
 * outgoing tasks in `processQueuedTask` (queued) or `processTaskInChange` (inside the change), incoming
 * ones in `prepareInternalObject`. Calls are time-limited; a throw counts as Error with its message.
 */
export abstract class BaseIntegrationConnector<TConfig = unknown> {
  private readonly declared: ConnectorSubscription[] = [];

  /** The connector's name (from `@IntegrationConnector`). */
  get connectorName(): string {
    return connectorRuntimeOf(this).name;
  }

  get displayName(): string {
    return connectorRuntimeOf(this).displayName;
  }

  get version(): string | undefined {
    return connectorRuntimeOf(this).version;
  }

  /**
   * The config entry's `config`, validated with the connector's schema. The bus calls a connector whose config was
   * refused (or that `connectors` does not list) only in `init(undefined)`: not `check`, `start`, `stop`, the
   * processing methods nor the incoming-request hooks. So it is always a `TConfig` where it can be read; reading it
   * elsewhere throws `CONNECTOR_CONFIG_REFUSED`.
   */
  protected get config(): TConfig {
    const { config, name } = connectorRuntimeOf(this);
    if (config === undefined) {
      throw new SyncbusError(
        'CONNECTOR_CONFIG_REFUSED',
        `Connector '${name}' has no valid config (it was refused, or "connectors" does not list it), so its tasks ` +
          'wait; fix the entry and restart. In init(), use its config parameter, which is undefined then.',
      );
    }
    return config as TConfig;
  }

  /** The name of the node this connector runs in (`CoreSettings.nodeName`): the source its messages name. */
  protected get nodeName(): string {
    return connectorRuntimeOf(this).nodeName;
  }

  /** The subscriptions `init()` declared. */
  get subscriptions(): readonly ConnectorSubscription[] {
    return this.declared;
  }

  /**
   * Declares subscriptions (`subscribeToObjects`, `subscribeToAllObjects`). Runs once at start with the validated
   * config, or with undefined when it was refused or the connector is not listed: subscribe to everything then, so
   * the tasks of changes made meanwhile wait for the fixed config instead of being lost.
   */
  abstract init(config: TConfig | undefined): void | Promise<void>;

  /** Tests the connection to the external system; throw (with a helpful message) when it does not work. */
  check(): void | Promise<void> {}

  /**
   * Starts the connector's own background work (e.g. consuming an inbound queue). Called once in the node's
   * `onStart` for a connector enabled with a valid config; a throw is logged and the node starts anyway.
   */
  start(): void | Promise<void> {}

  /** Ends what `start()` began; called in the node's `onStop`, before the queues stop. */
  stop(): void | Promise<void> {}

  /**
   * Decides whether an HTTP request may post incoming tasks for this connector (e.g. by checking a signature over
   * `rawBody`). Return true to accept, false to refuse (401). The default, undefined, leaves the decision to the
   * connector entry's `incomingToken` (a bearer token).
   */
  authenticateIncoming(_request: IncomingRequest): boolean | undefined | Promise<boolean | undefined> {
    return undefined;
  }

  /**
   * Optional first look at an inbound HTTP request's headers (lower-case names), before its body is read: return
   * false to refuse it at once (401) — for example when a signature header is missing or its timestamp is stale —
   * so a stranger cannot make the node read bodies. Undefined (the default) leaves everything to
   * `authenticateIncoming`, which sees the body.
   */
  authenticateIncomingHeaders(_headers: Readonly<Record<string, string | undefined>>): boolean | undefined {
    return undefined;
  }

  /**
   * Problems that make an incoming task one this connector could never apply, as `{ path, message }` with the
   * path of a field inside the task (`externalId`, `object.title`). Any problem refuses the whole call before
   * anything is logged: the HTTP route answers 400 `INVALID_BODY` naming `tasks.<n>.<path>`, a broker consumer
   * dead-letters the message. The default finds none: every task the route's schema accepts is logged, and a
   * task that cannot be applied fails later, in the incoming queue.
   */
  incomingTaskProblems(_task: ExternalTaskInput): readonly ConfigProblem[] {
    return [];
  }

  /**
   * Handles a queued outgoing task (Kentico's ProcessInternalTaskAsync: "async" is the process type, queued).
   * Return a result (`'OK'`, `'Error'`, `'ErrorAndSkip'`, `'SkipNow'`) or `{ result, message }`.
   */
  processQueuedTask(_task: IntegrationTask): ProcessingOutcome | Promise<ProcessingOutcome> {
    return {
      result: 'Error',
      message: `connector '${this.connectorName}' subscribes to queued tasks but does not override processQueuedTask`,
    };
  }

  /** Handles an outgoing task inside the change's transaction (process type `sync`); defaults to the async handler. */
  processTaskInChange(task: IntegrationTask): ProcessingOutcome | Promise<ProcessingOutcome> {
    return this.processQueuedTask(task);
  }

  /**
   * Turns an incoming external object into the host object to apply: an `ObjectSnapshot` whose references are
   * `{ $ref: { type, identity } }` (build them with `internalReference`).
   */
  prepareInternalObject(
    _externalObject: unknown,
    _taskType: TaskType,
    _context: IncomingTaskContext,
  ): ObjectSnapshot | Promise<ObjectSnapshot> {
    throw new Error(
      `connector '${this.connectorName}' does not accept incoming tasks; override prepareInternalObject to map them`,
    );
  }

  /** Maps a host object's identity to the external system's id (outgoing translation). Default: the identity. */
  getExternalObjectId(
    _objectType: string,
    identity: string,
  ): string | undefined | Promise<string | undefined> {
    return identity;
  }

  /** Maps an external id back to the host object's identity (incoming translation). Default: the external id. */
  getInternalObjectIdentity(_objectType: string, externalId: string): string | Promise<string> {
    return externalId;
  }

  /**
   * Processes one logged outgoing task for this connector now (Kentico's ProcessInternalTask), recording the
   * outcome as the background processor would. Resolves with the result, or undefined when the task was not
   * processed now (not queued for this connector, already done, held back behind an earlier task of its object,
   * processing is off, or this process's `role` processes nothing); it then stays queued for the processor.
   */
  processInternalTask(task: IntegrationTask): Promise<IntegrationProcessResult | undefined> {
    return connectorRuntimeOf(this).processTask(task);
  }

  /** Kentico's SubscribeToObjects: tasks of `objectType` (and `taskType`, default all) handled per `processType`. */
  protected subscribeToObjects(
    processType: IntegrationProcessType,
    objectType: string,
    taskType: TaskType = ALL,
    dataType: IntegrationDataType = 'simple',
  ): void {
    this.declared.push({ processType, objectType, taskType, dataType });
  }

  /** Kentico's SubscribeToAllObjects. */
  protected subscribeToAllObjects(
    processType: IntegrationProcessType,
    taskType: TaskType = ALL,
    dataType: IntegrationDataType = 'simple',
  ): void {
    this.subscribeToObjects(processType, ALL, taskType, dataType);
  }

  /**
   * `task` in the shared outgoing format (`ExternalTaskMessage`), ids and references translated; its source is
   * this node unless `sourceNode` names another.
   */
  protected async externalMessage(
    task: IntegrationTask,
    sourceNode: string = this.nodeName,
  ): Promise<ExternalTaskMessage> {
    return {
      protocol: 1,
      source: { node: sourceNode },
      task: {
        guid: task.guid,
        taskType: task.taskType,
        objectType: task.objectType,
        objectId: (await this.getExternalObjectId(task.objectType, task.objectGuid)) ?? task.objectGuid,
        objectGuid: task.objectGuid,
        title: task.title,
        createdAt: task.createdAt.toISOString(),
        user: task.user,
        data: await this.externalData(task),
        related:
          task.dataType === 'snapshot'
            ? task.related.map((r) => ({ objectType: r.objectType, objectGuid: r.objectGuid, data: r.data }))
            : undefined,
      },
    };
  }

  /**
   * The host object for an incoming external object whose properties are by name, where a value
   * `{ "$ref": { "type": "cms.category", "id": "<external id>" } }` references another object by its external id
   * and `context.externalId` identifies the object. A ready `prepareInternalObject` for connectors that use it.
   */
  protected async snapshotFromExternal(
    external: unknown,
    context: IncomingTaskContext,
  ): Promise<ObjectSnapshot> {
    if (!context.externalId) throw new Error('the task has no externalId; send the object id as externalId');
    if (!external || typeof external !== 'object' || Array.isArray(external)) {
      throw new Error('the task object must be a JSON object of property values');
    }
    const data: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(external)) {
      const ref = (value as { $ref?: { type?: unknown; id?: unknown } } | null)?.$ref;
      data[key] =
        ref && typeof ref.type === 'string' && typeof ref.id === 'string'
          ? await this.internalReference(ref.type, ref.id)
          : value;
    }
    const identity = await this.getInternalObjectIdentity(context.objectType, context.externalId);
    return { objectType: context.objectType, objectGuid: identity, data };
  }

  /** The task's object data with every reference replaced by the external id `getExternalObjectId` gives. */
  protected externalData(task: IntegrationTask): Promise<Record<string, unknown>> {
    return mapReferences(task.object?.data ?? {}, (type, identity) =>
      this.getExternalObjectId(type, identity),
    );
  }

  /** A host reference for an external id, through `getInternalObjectIdentity`. */
  protected async internalReference(objectType: string, externalId: string): Promise<ObjectReference> {
    return {
      $ref: { type: objectType, identity: await this.getInternalObjectIdentity(objectType, externalId) },
    };
  }
}
