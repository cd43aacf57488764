// The integration bus's inbound HTTP route: an external system posts tasks for a named connector.
import { bearerToken } from '@syncbus/core/internal';
import { inject, injectable } from '@syncbus/core';
import { headerMap, isJsonContentType, UnsupportedMediaTypeError } from '@syncbus/server/internal';
import { type HttpRouteContribution } from '@syncbus/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IncomingTaskService } from './incoming-task-service';

/** Path of the route; `:name` is the connector's name. */
export const INCOMING_TASKS_PATH = '/syncbus/integration/v1/connectors/:name/tasks';
/** Largest body the route reads (413 above it). */
export const INCOMING_TASKS_BODY_LIMIT = 4 * 1024 * 1024;

/**
 * `POST /syncbus/integration/v1/connectors/:name/tasks` with `{ tasks: [...] }` (see `IncomingTasksBodySchema`).
 * Authenticated per connector: its `authenticateIncoming` hook (e.g. an HMAC signature over the raw body) or the
 * bearer token of its entry's `incomingToken`. Answers 202 with the receipt; 401 bad credentials or an unknown
 * connector (one answer), 403 incoming not configured, 415 not JSON, 400 bad body (JSON or fields, by path), 413 too large, 503 disabled.
 */
@injectable()
export class IncomingTasksRoute implements HttpRouteContribution {
  readonly name = 'integration-incoming-tasks';
  readonly receives = true;

  constructor(@inject(IncomingTaskService) private readonly service: IncomingTaskService) {}

  registerRoutes(app: FastifyInstance): void {
    const bodyLimit = INCOMING_TASKS_BODY_LIMIT;
    // Signatures cover the exact bytes: the body stays a Buffer until the caller is authenticated.
    app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (_request, body, done) =>
      done(null, body),
    );
    // Before fastify reads the body (it refuses a declared length over the limit itself): an unknown connector or
    // a wrong token costs no body buffer, and the connection is closed rather than drained. Refusals are thrown:
    // the node's error handler answers them (@syncbus/server's one mapping).
    const checkHeaders = async (
      request: FastifyRequest<{ Params: { name: string } }>,
      reply: FastifyReply,
    ) => {
      try {
        if (!isJsonContentType(request.headers['content-type'])) throw new UnsupportedMediaTypeError();
        const headers = headerMap(request.headers);
        await this.service.checkHeaders(request.params.name, headers, bearerToken(headers.authorization));
      } catch (error) {
        reply.header('connection', 'close');
        throw error;
      }
    };
    app.post<{ Params: { name: string } }>(
      INCOMING_TASKS_PATH,
      { bodyLimit, onRequest: checkHeaders },
      async (request, reply) => {
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const headers = headerMap(request.headers);
        const token = bearerToken(headers.authorization);
        // The body is parsed only once the caller is authenticated, so strangers learn nothing about the route.
        const receipt = await this.service.acceptRequest(request.params.name, { headers, rawBody }, token);
        return reply.code(202).send(receipt);
      },
    );
  }
}
