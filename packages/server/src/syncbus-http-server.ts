// The node's HTTP server: one fastify instance serving every route contribution, started and stopped with the node.
import type { AddressInfo } from 'node:net';
import {
  CoreSettings,
  inject,
  injectable,
  Logger,
  multiInject,
  optional,
  type OnStart,
  type OnStop,
} from '@syncbus/core';
import { roleReceives } from '@syncbus/core/internal';
import fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { httpErrorHandler } from './http-errors';
import { HttpRouteContribution } from './http-route-contribution';
import { HttpSettings } from './http-settings';
import { NodeMetrics } from './node-metrics';

/** Serves the route contributions over HTTP. */
@injectable()
export class SyncbusHttpServer implements OnStart, OnStop {
  private app?: FastifyInstance;

  constructor(
    @inject(HttpSettings) private readonly settings: HttpSettings,
    @multiInject(HttpRouteContribution) private readonly contributions: HttpRouteContribution[],
    @inject(Logger) private readonly logger: Logger,
    @inject(CoreSettings) private readonly core: CoreSettings,
    @inject(NodeMetrics) @optional() private readonly metrics?: NodeMetrics,
  ) {}

  /** The contributions this process serves: receiving routes only where its role receives. */
  private get served(): HttpRouteContribution[] {
    const receives = roleReceives(this.core.role);
    return this.contributions.filter((c) => receives || !c.receives);
  }

  /** The running fastify instance (for `inject()` in tests), or undefined when stopped. */
  get instance(): FastifyInstance | undefined {
    return this.app;
  }

  /** Base URL of the running server, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    const address = this.app?.server.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('The HTTP server is not listening; start it first.');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
  }

  /** The node starts: listens when `http.enabled`. */
  async onStart(): Promise<void> {
    if (this.settings.enabled) await this.start();
  }

  /** The node stops (see `stop()`). */
  onStop(): Promise<void> {
    return this.stop();
  }

  /** Builds the app with every contribution and listens (`port` overrides the setting, e.g. to come back up). */
  async start(options: { port?: number } = {}): Promise<string> {
    if (this.app) return this.url;
    const { requestTimeoutMs, headersTimeoutMs, idleTimeoutMs, keepAliveTimeoutMs, maxConnections } =
      this.settings;
    const app: FastifyInstance = fastify({
      // Requests are logged at info by fastify; a node logs only what goes wrong.
      loggerInstance: this.logger.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger,
      // Node leaves these unbounded: a client sending a byte at a time, or opening sockets and sending nothing,
      // would hold them (and their buffers) for ever.
      requestTimeout: requestTimeoutMs,
      connectionTimeout: idleTimeoutMs,
      keepAliveTimeout: keepAliveTimeoutMs,
      http: {
        headersTimeout: Math.min(headersTimeoutMs, requestTimeoutMs),
        // Node enforces the two timeouts above on this tick (30 s by default): check often enough to keep them.
        connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersTimeoutMs / 2))),
        maxHeaderSize: 16 * 1024,
      },
    });
    app.server.maxConnections = maxConnections;
    app.addHook('onResponse', async (request, reply) => {
      if (reply.statusCode >= 400 && reply.statusCode < 500) {
        this.metrics?.refused.inc({ route: request.routeOptions.url ?? 'unknown', status: reply.statusCode });
      }
    });
    // Every route refuses by throwing (or `sendError`): one mapping from errors to statuses and bodies.
    app.setErrorHandler(httpErrorHandler(this.logger));
    const served = this.served;
    for (const contribution of served) {
      await app.register(async (scope) => {
        try {
          await contribution.registerRoutes(scope);
        } catch (error) {
          this.logger.error(
            { err: error, contribution: contribution.name },
            'an HTTP route contribution failed; its routes are not served',
          );
        }
      });
    }
    await app.listen({ host: this.settings.host, port: options.port ?? this.settings.port });
    this.app = app;
    this.logger.info(
      { url: this.url, role: this.core.role, routes: served.map((c) => c.name) },
      'HTTP server listening',
    );
    return this.url;
  }

  /** Stops listening; requests in flight finish first. */
  async stop(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    await app?.close();
  }
}
