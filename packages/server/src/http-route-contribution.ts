// The extension point through which packages and plugins add routes to the node's one HTTP server.
import type { FastifyInstance } from 'fastify';

/**
 * Bound (multi) under this token: `{ provide: HttpRouteContribution, useExisting: MyRoutes }`. Each contribution
 * registers into its own encapsulated fastify scope (its content-type parsers and hooks stay its own); one that
 * throws is logged and skipped, the others are served.
 */
export const HttpRouteContribution = Symbol('HttpRouteContribution');
/** Routes a package or plugin adds to the node's HTTP server (bound under the token of the same name). */
export interface HttpRouteContribution {
  /** Shown in logs, e.g. `staging-receiver`. */
  readonly name: string;
  /**
   * True for routes through which other systems send tasks (the staging receiver, incoming integration tasks):
   * served only by processes whose role receives (`roleReceives`). Health, metrics and admin are served by all.
   */
  readonly receives?: boolean;
  /** Registers the routes into `app`, the contribution's own encapsulated scope. */
  registerRoutes(app: FastifyInstance): void | Promise<void>;
}
