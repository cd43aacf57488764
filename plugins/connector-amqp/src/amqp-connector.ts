// Publishes outgoing tasks to RabbitMQ with publisher confirms, and consumes an inbound queue into incoming tasks.
import type { ConsumeMessage } from 'amqplib';
import {
  CoreSettings,
  EventCancelledError,
  HMAC_SIGNATURE_HEADER,
  HMAC_TIMESTAMP_HEADER,
  inject,
  Logger,
  ObjectTypes,
  signHmacRequest,
  type ObjectSnapshot,
  type TaskType,
  BaseIntegrationConnector,
  DuplicateExternalTaskError,
  InvalidIncomingTaskError,
  IntegrationConnector,
  IntegrationHelper,
  type IncomingTaskContext,
  type IntegrationTask,
  type ProcessingOutcome,
} from '@syncbus/integration/sdk';
import { AmqpConnection, connectFailure } from './amqp-connection';
import { AmqpConsumer, type InboundVerdict } from './amqp-consumer';
import { readInboundMessage } from './amqp-inbound-message';
import { AmqpPublisher, PublishFailure } from './amqp-publisher';
import { AmqpConfigSchema, deadLetterNames, type AmqpConfig } from './amqp-settings';

const VERSION = '0.1.0';

/** The routing key of a task from the template (`{objectType}`, `{taskType}`, `{objectGuid}`). */
export function routingKeyOf(
  template: string,
  task: Pick<IntegrationTask, 'objectType' | 'taskType' | 'objectGuid'>,
): string {
  return template
    .replaceAll('{objectType}', task.objectType)
    .replaceAll('{taskType}', task.taskType)
    .replaceAll('{objectGuid}', task.objectGuid);
}

/**
 * Outgoing: each task is one persistent, mandatory message (message id = task guid) on the configured exchange;
 * the task is OK only once the broker confirms it routed. A nack, a return (unroutable), a lost channel, no
 * confirm in time or an unreachable broker is an Error, retried by the bus in order per object.
 * Incoming (`incoming.queue`): each message becomes an incoming task, acknowledged after the task committed;
 * a malformed message is dead-lettered and logged. For a second broker, subclass with another name.
 */
@IntegrationConnector({
  name: 'amqp',
  displayName: 'AMQP (RabbitMQ)',
  version: VERSION,
  configSchema: AmqpConfigSchema,
})
export class AmqpConnector extends BaseIntegrationConnector<AmqpConfig> {
  private connection?: AmqpConnection;
  private publisher?: AmqpPublisher;
  private consumer?: AmqpConsumer;

  constructor(
    @inject(CoreSettings) private readonly core: CoreSettings,
    @inject(IntegrationHelper) private readonly helper: IntegrationHelper,
    @inject(ObjectTypes) private readonly types: ObjectTypes,
    @inject(Logger) private readonly logger: Logger,
  ) {
    super();
  }

  override init(config: AmqpConfig | undefined): void {
    // An invalid config is undefined here; subscribe to everything so tasks wait rather than vanish.
    for (const objectType of config?.objectTypes ?? ['*'])
      this.subscribeToObjects('async', objectType, '*', config?.dataType ?? 'simple');
  }

  /** Connects (and declares the exchange): tasks wait, with this message, while the broker cannot be reached. */
  override async check(): Promise<void> {
    try {
      await this.connected().publisher.ready();
    } catch (error) {
      throw new Error(`cannot reach the broker at ${this.config.url} (${connectFailure(error)})`);
    }
  }

  override start(): void {
    const { consumer } = this.connected();
    consumer?.start();
  }

  override async stop(): Promise<void> {
    await this.consumer?.stop();
    await this.connection?.close();
    this.connection = this.publisher = this.consumer = undefined;
  }

  override async processQueuedTask(task: IntegrationTask): Promise<ProcessingOutcome> {
    const { publisher } = this.connected();
    const content = Buffer.from(JSON.stringify(await this.payload(task)));
    const headers: Record<string, string> = {
      'x-syncbus-object-type': task.objectType,
      'x-syncbus-task-type': task.taskType,
    };
    const secret = this.config.secret;
    if (secret) {
      const timestamp = Math.floor(Date.now() / 1000);
      headers[HMAC_TIMESTAMP_HEADER] = String(timestamp);
      headers[HMAC_SIGNATURE_HEADER] = signHmacRequest(secret.reveal(), timestamp, content);
    }
    try {
      await publisher!.publish(routingKeyOf(this.config.routingKey, task), content, {
        messageId: task.guid,
        contentType: 'application/json',
        type: `${task.objectType}.${task.taskType}`,
        appId: 'syncbus',
        timestamp: Math.floor(task.createdAt.getTime() / 1000),
        headers,
      });
      return 'OK';
    } catch (error) {
      if (!(error instanceof PublishFailure)) throw error;
      // An unreachable or silent broker pauses the connector (one reconnect at a time), not each task.
      return { result: 'Error', message: `${error.message}; retrying`, unavailable: error.unavailable };
    }
  }

  /** The message's `object` holds properties by name; `{ "$ref": { "type", "id" } }` references by external id. */
  override prepareInternalObject(
    external: unknown,
    _taskType: TaskType,
    context: IncomingTaskContext,
  ): Promise<ObjectSnapshot> {
    return this.snapshotFromExternal(external, context);
  }

  /** The connection, publisher and consumer, created on first use from the validated config. */
  private connected(): { connection: AmqpConnection; publisher: AmqpPublisher; consumer?: AmqpConsumer } {
    if (!this.connection) {
      const config = this.config;
      const connection = new AmqpConnection(
        {
          url: config.url,
          username: config.username,
          password: config.password?.reveal(),
          connectTimeoutMs: config.connectTimeoutMs,
          heartbeatSeconds: config.heartbeatSeconds,
          connectionName: `syncbus ${this.core.nodeName} ${this.connectorName}`,
        },
        this.logger,
        () => {
          this.publisher?.reset();
          this.consumer?.connectionLost();
        },
      );
      this.connection = connection;
      this.publisher = new AmqpPublisher(connection, config, this.logger);
      if (config.incoming) {
        const deadLetter = deadLetterNames(config.incoming);
        this.consumer = new AmqpConsumer(
          connection,
          {
            ...config.incoming,
            deadLetterExchange: deadLetter.exchange,
            deadLetterQueue: deadLetter.queue,
            reconnect: config.reconnect,
          },
          (message) => this.receive(message),
          this.logger,
        );
      }
    }
    return { connection: this.connection, publisher: this.publisher!, consumer: this.consumer };
  }

  /** One inbound message: logged as an incoming task (committed) before the consumer acknowledges it. */
  private async receive(message: ConsumeMessage): Promise<InboundVerdict> {
    const messageId = message.properties.messageId as string | undefined;
    const read = readInboundMessage(message, {
      knownObjectTypes: this.types.types,
      secret: this.config.secret?.reveal(),
    });
    if ('refused' in read) {
      this.logger.warn(
        { connector: this.connectorName, messageId, reason: read.refused },
        'inbound AMQP message dead-lettered',
      );
      return 'dead-letter';
    }
    const { task } = read;
    try {
      await this.helper.processExternalTask(this.connectorName, task.object, task.taskType, {
        objectType: task.objectType,
        externalId: task.externalId,
        title: task.title,
        guid: task.guid,
      });
      return 'ack';
    } catch (error) {
      if (error instanceof DuplicateExternalTaskError) {
        this.logger.info(
          { connector: this.connectorName, messageId, guid: error.guid },
          'redelivered inbound message was already received; acknowledged without logging it again',
        );
        return 'ack';
      }
      if (error instanceof EventCancelledError) {
        this.logger.info(
          { connector: this.connectorName, messageId, reason: error.reason },
          'inbound task cancelled by a handler',
        );
        return 'ack';
      }
      // A bug or a value nothing can take fails the same way every time: dead-letter it at once.
      if (
        error instanceof RangeError ||
        error instanceof TypeError ||
        error instanceof SyntaxError ||
        error instanceof InvalidIncomingTaskError
      ) {
        this.logger.error(
          { err: error, connector: this.connectorName, messageId },
          'inbound task cannot be logged; dead-lettered',
        );
        return 'dead-letter';
      }
      this.logger.error(
        { err: error, connector: this.connectorName, messageId },
        'inbound task could not be logged; requeued',
      );
      return 'requeue';
    }
  }

  private payload(task: IntegrationTask) {
    return this.externalMessage(task);
  }
}
