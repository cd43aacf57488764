// One broker connection per connector, opened on demand and forgotten when it closes, so the next use reconnects.
import { connect, type ChannelModel } from 'amqplib';
import type { Logger } from '@syncbus/integration/sdk';

/** Where and how to connect. */
export interface AmqpConnectionOptions {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  readonly connectTimeoutMs: number;
  /** Heartbeat the client asks for; the broker's lower value wins. */
  readonly heartbeatSeconds: number;
  /** Shown in the broker's connection list (`rabbitmqctl list_connections client_properties`). */
  readonly connectionName: string;
}

/**
 * Opens the connection once for concurrent callers; on close (broker restart, network, a forced close) it is
 * dropped and `onLost` runs, and the next `get()` opens a new one. Connection errors never reach the process.
 */
export class AmqpConnection {
  private model?: ChannelModel;
  private connecting?: Promise<ChannelModel>;
  private closed = false;

  constructor(
    private readonly options: AmqpConnectionOptions,
    private readonly logger: Logger,
    private readonly onLost: () => void,
  ) {}

  /** The open connection, connecting if needed; rejects with the reason when the broker cannot be reached. */
  get(): Promise<ChannelModel> {
    if (this.closed) return Promise.reject(new Error('the connector has stopped'));
    if (this.model) return Promise.resolve(this.model);
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** Closes for good (the connector stops). */
  async close(): Promise<void> {
    this.closed = true;
    const model = this.model ?? (await this.connecting?.catch(() => undefined));
    this.model = undefined;
    await model?.close().catch(() => undefined);
  }

  private async open(): Promise<ChannelModel> {
    const { url, username, password, connectTimeoutMs, heartbeatSeconds, connectionName } = this.options;
    const target = new URL(url);
    if (!target.searchParams.has('heartbeat')) target.searchParams.set('heartbeat', String(heartbeatSeconds));
    if (username !== undefined) target.username = encodeURIComponent(username);
    if (password !== undefined) target.password = encodeURIComponent(password);
    const model = await connect(target.toString(), {
      timeout: connectTimeoutMs,
      clientProperties: { connection_name: connectionName },
    });
    if (this.closed) {
      await model.close().catch(() => undefined);
      throw new Error('the connector has stopped');
    }
    // Without an 'error' listener a broker-side close would be thrown as an uncaught exception.
    model.on('error', (error: Error) =>
      this.logger.warn({ err: error, connection: connectionName }, 'AMQP connection error'),
    );
    model.on('close', () => {
      if (this.model !== model) return;
      this.model = undefined;
      if (!this.closed) {
        this.logger.warn({ connection: connectionName }, 'AMQP connection lost; reconnecting when needed');
        this.onLost();
      }
    });
    this.model = model;
    return model;
  }
}

/** A readable reason for a failed connection attempt (never the URL's credentials). */
export function connectFailure(error: unknown): string {
  const code = (error as { code?: string })?.code;
  const message = (error as Error)?.message ?? String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
