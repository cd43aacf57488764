// Consumes the inbound queue one message at a time; acknowledges only after the handler committed the task, and
// comes back after the broker goes away.
import { createHash } from 'node:crypto';
import type { Channel, ConsumeMessage } from 'amqplib';
import { retryDelayMs, type Logger } from '@syncbus/integration/sdk';
import { connectFailure, type AmqpConnection } from './amqp-connection';

/** What to do with a message once handled. */
export type InboundVerdict = 'ack' | 'dead-letter' | 'requeue';

/** The queue to consume and its topology. */
export interface ConsumerOptions {
  readonly queue: string;
  readonly declare: boolean;
  readonly deadLetterExchange: string;
  readonly deadLetterQueue: string;
  readonly prefetch: number;
  readonly reconnect: { readonly baseDelayMs: number; readonly maxDelayMs: number };
  /** Pause before a message the handler could not take (e.g. the database is down) is requeued, in ms. */
  readonly requeueDelayMs?: number;
  /** Requeues of one message before it is dead-lettered instead (default 5). */
  readonly maxRedeliveries?: number;
}

/**
 * Messages are handled in delivery order, one after another (so tasks of one object are logged in the order they
 * were published). A message the handler refuses is nacked without requeue: the queue's dead-letter exchange
 * keeps it. A channel that closes before the ack leaves the message unacknowledged: the broker redelivers it, and
 * the incoming task ledger (task guid = message id) keeps it from being logged twice.
 */
export class AmqpConsumer {
  /** Requeues so far per message still being retried (bounded: an entry goes when its message does). */
  private readonly requeues = new Map<string, number>();
  private channel?: Channel;
  private timer?: NodeJS.Timeout;
  private attempts = 0;
  private consumerTag?: string;
  private stopped = true;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly connection: AmqpConnection,
    private readonly options: ConsumerOptions,
    private readonly handle: (message: ConsumeMessage) => Promise<InboundVerdict>,
    private readonly logger: Logger,
  ) {}

  /** True while a channel consumes. */
  get consuming(): boolean {
    return this.channel !== undefined;
  }

  /** Starts consuming now, or keeps trying in the background while the broker is away. */
  start(): void {
    this.stopped = false;
    void this.subscribe();
  }

  /** Stops: the consumer is cancelled, the message in hand finishes (its ack or nack is sent), the rest go back. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    // Take no new deliveries; prefetched ones still queued in the chain go back to the broker unhandled.
    if (this.channel && this.consumerTag) await this.channel.cancel(this.consumerTag).catch(() => undefined);
    await this.chain;
    const channel = this.channel;
    this.channel = undefined;
    await channel?.close().catch(() => undefined);
  }

  /** The connection was lost: consume again once it is back. */
  connectionLost(): void {
    this.channel = undefined;
    this.reconnectLater();
  }

  private async subscribe(): Promise<void> {
    if (this.stopped || this.channel) return;
    const { queue, declare, deadLetterExchange, deadLetterQueue, prefetch } = this.options;
    let channel: Channel | undefined;
    try {
      channel = await (await this.connection.get()).createChannel();
      const opened = channel;
      opened.on('error', (error: Error) =>
        this.logger.warn({ err: error, queue }, 'AMQP consumer channel error'),
      );
      opened.on('close', () => {
        if (this.channel !== opened) return;
        this.channel = undefined;
        this.reconnectLater();
      });
      if (declare) {
        await opened.assertExchange(deadLetterExchange, 'fanout', { durable: true });
        await opened.assertQueue(deadLetterQueue, { durable: true });
        await opened.bindQueue(deadLetterQueue, deadLetterExchange, '');
        await opened.assertQueue(queue, { durable: true, deadLetterExchange });
      }
      await opened.prefetch(prefetch);
      this.channel = opened;
      const { consumerTag } = await opened.consume(queue, (message) => {
        // null: the broker cancelled the consumer (e.g. the queue was deleted).
        if (message === null) void opened.close().catch(() => undefined);
        else this.chain = this.chain.then(() => this.process(opened, message));
      });
      this.consumerTag = consumerTag;
      this.attempts = 0;
      this.logger.info({ queue }, 'consuming the inbound AMQP queue');
    } catch (error) {
      this.logger.warn(
        { queue, reason: connectFailure(error) },
        'could not consume the inbound AMQP queue; retrying',
      );
      if (this.channel === channel) this.channel = undefined;
      await channel?.close().catch(() => undefined);
      this.reconnectLater();
    }
  }

  private reconnectLater(): void {
    if (this.stopped || this.timer) return;
    this.attempts += 1;
    const delay = retryDelayMs(this.attempts, { maxAttempts: 1, ...this.options.reconnect });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.subscribe();
    }, delay);
    this.timer.unref();
  }

  /**
   * A message put back too often is dead-lettered: whatever keeps failing it is not passing. Counted here per
   * message (id, else content), or by the broker's `x-delivery-count` where the queue keeps one (quorum queues).
   */
  private requeueOrGiveUp(message: ConsumeMessage): InboundVerdict {
    const key = redeliveryKey(message);
    const fromBroker = Number(message.properties.headers?.['x-delivery-count'] ?? 0);
    const count = Math.max((this.requeues.get(key) ?? 0) + 1, fromBroker + 1);
    if (count <= (this.options.maxRedeliveries ?? 5)) {
      this.requeues.set(key, count);
      return 'requeue';
    }
    this.requeues.delete(key);
    this.logger.warn(
      { queue: this.options.queue, messageId: message.properties.messageId, requeues: count - 1 },
      'inbound AMQP message dead-lettered after its redeliveries',
    );
    return 'dead-letter';
  }

  private async process(channel: Channel, message: ConsumeMessage): Promise<void> {
    if (this.stopped) {
      try {
        channel.nack(message, false, true);
      } catch {
        // The channel is gone already: the broker redelivers the message anyway.
      }
      return;
    }
    let verdict: InboundVerdict;
    try {
      verdict = await this.handle(message);
    } catch (error) {
      this.logger.error({ err: error, queue: this.options.queue }, 'an inbound message could not be handled');
      verdict = 'requeue';
    }
    if (verdict === 'requeue') verdict = this.requeueOrGiveUp(message);
    else this.requeues.delete(redeliveryKey(message));
    if (verdict === 'requeue' && !this.stopped) {
      await new Promise((resolve) => setTimeout(resolve, this.options.requeueDelayMs ?? 1000).unref());
    }
    try {
      if (verdict === 'ack') channel.ack(message);
      else channel.nack(message, false, verdict === 'requeue');
    } catch (error) {
      // The channel is gone: the broker redelivers the message, and the ledger keeps it from applying twice.
      this.logger.warn(
        { err: error, queue: this.options.queue },
        'could not acknowledge a message; it will be redelivered',
      );
    }
  }
}

/** What identifies a message across its redeliveries: its id, else a digest of its content. */
function redeliveryKey(message: ConsumeMessage): string {
  const id = message.properties.messageId as string | undefined;
  return id ? `id:${id}` : `sha1:${createHash('sha1').update(message.content).digest('hex')}`;
}
