// Publishes with publisher confirms: a message counts as sent only once the broker confirms it, routed.
import type { ConfirmChannel, Options } from 'amqplib';
import type { Logger } from '@syncbus/integration/sdk';
import { connectFailure, type AmqpConnection } from './amqp-connection';

/** Where to publish and how long to wait for the confirm. */
export interface PublishTarget {
  readonly exchange: string;
  readonly exchangeType: string;
  readonly declareExchange: boolean;
  readonly confirmTimeoutMs: number;
}

/**
 * A publish the broker did not confirm: unreachable, refused (nack), unroutable, or no confirm in time.
 * `unavailable` when the broker itself could not be reached or did not answer (the connector pauses).
 */
export class PublishFailure extends Error {
  constructor(
    message: string,
    readonly unavailable = false,
  ) {
    super(message);
  }
}

/**
 * One confirm channel, reopened after it closes. Messages are `mandatory`, so one no queue takes is returned by
 * the broker (before its confirm) and counts as a failure instead of vanishing.
 */
export class AmqpPublisher {
  private channel?: ConfirmChannel;
  private opening?: Promise<ConfirmChannel>;
  private readonly returned = new Set<string>();

  constructor(
    private readonly connection: AmqpConnection,
    private readonly target: PublishTarget,
    private readonly logger: Logger,
  ) {}

  /** Resolves once the broker confirmed `content` routed to at least one queue; rejects with `PublishFailure`. */
  async publish(
    routingKey: string,
    content: Buffer,
    options: Options.Publish & { messageId: string },
  ): Promise<void> {
    const { exchange, confirmTimeoutMs } = this.target;
    let channel: ConfirmChannel;
    try {
      channel = await this.open();
    } catch (error) {
      throw new PublishFailure(`could not reach the broker (${connectFailure(error)})`, true);
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new PublishFailure(`the broker did not confirm within ${confirmTimeoutMs} ms`, true)),
        confirmTimeoutMs,
      );
      try {
        channel.publish(
          exchange,
          routingKey,
          content,
          { ...options, persistent: true, mandatory: true },
          (error) => {
            clearTimeout(timer);
            if (error) {
              const closed = /closed/i.test(String((error as Error)?.message ?? error));
              reject(
                new PublishFailure(
                  closed
                    ? 'the channel closed before the broker confirmed the message (broker restart or connection loss)'
                    : 'the broker refused the message (nack), e.g. a full queue that rejects publishes',
                  closed,
                ),
              );
            } else resolve();
          },
        );
      } catch (error) {
        clearTimeout(timer);
        reject(new PublishFailure(`publishing failed: ${(error as Error).message}`));
      }
    });
    if (this.returned.delete(options.messageId)) {
      throw new PublishFailure(
        `the message is unroutable: no queue is bound to exchange '${exchange}' for routing key '${routingKey}'; ` +
          'bind a queue (or fix the routing key template)',
      );
    }
  }

  /** Opens the channel (connecting, declaring or checking the exchange) without publishing. */
  async ready(): Promise<void> {
    await this.open();
  }

  /** Forgets the channel (its connection was closed). */
  reset(): void {
    this.channel = undefined;
    this.returned.clear();
  }

  private open(): Promise<ConfirmChannel> {
    if (this.channel) return Promise.resolve(this.channel);
    this.opening ??= (async () => {
      const model = await this.connection.get();
      const channel = await model.createConfirmChannel();
      channel.on('error', (error: Error) => this.logger.warn({ err: error }, 'AMQP publish channel error'));
      channel.on('close', () => {
        if (this.channel === channel) this.reset();
      });
      channel.on('return', (message) => {
        const id = message.properties.messageId as string | undefined;
        if (id) this.returned.add(id);
      });
      const { exchange, exchangeType, declareExchange } = this.target;
      if (declareExchange) await channel.assertExchange(exchange, exchangeType, { durable: true });
      else await channel.checkExchange(exchange);
      this.channel = channel;
      return channel;
    })().finally(() => (this.opening = undefined));
    return this.opening;
  }
}
