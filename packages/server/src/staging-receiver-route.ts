// The staging receiver's HTTP route: verifies a signed request on its raw bytes, then applies its tasks.
import { inject, injectable } from '@syncbus/core';
import {
  SIGNATURE_HEADER,
  STAGING_TASKS_PATH,
  StagingReceiver,
  StagingRequestRejectedError,
  StagingRequestVerifier,
  StagingSettings,
  TIMESTAMP_HEADER,
} from '@syncbus/staging';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HttpRouteContribution } from './http-route-contribution';
import { isJsonContentType, UNSUPPORTED_MEDIA_TYPE } from './json-content-type';

/** `POST /syncbus/staging/v1/tasks` (docs/staging-protocol.md). */
@injectable()
export class StagingReceiverRoute implements HttpRouteContribution {
  readonly name = 'staging-receiver';

  constructor(
    @inject(StagingRequestVerifier) private readonly verifier: StagingRequestVerifier,
    @inject(StagingReceiver) private readonly receiver: StagingReceiver,
    @inject(StagingSettings) private readonly settings: StagingSettings,
  ) {}

  registerRoutes(app: FastifyInstance): void {
    const bodyLimit = this.settings.receiver.maxBodyBytes;
    // The signature covers the exact bytes, so the body stays a Buffer; the verifier parses it once that holds.
    app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (_request, body, done) =>
      done(null, body),
    );
    const header = (request: FastifyRequest, name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const refuse = (reply: FastifyReply, error: StagingRequestRejectedError) =>
      reply.code(error.statusCode).send({ error: error.code, message: error.message });
    // Runs before fastify reads the body: an unsigned, stale or oversized request costs no body buffer, and its
    // connection is closed rather than drained.
    const checkHeaders = async (request: FastifyRequest, reply: FastifyReply) => {
      if (!isJsonContentType(request.headers['content-type'])) {
        return reply.code(415).header('connection', 'close').send(UNSUPPORTED_MEDIA_TYPE);
      }
      try {
        this.verifier.checkHeaders({
          timestamp: header(request, TIMESTAMP_HEADER),
          signature: header(request, SIGNATURE_HEADER),
          contentLength: header(request, 'content-length'),
        });
      } catch (error) {
        if (!(error instanceof StagingRequestRejectedError)) throw error;
        reply.header('connection', 'close');
        return refuse(reply, error);
      }
    };
    app.post(STAGING_TASKS_PATH, { bodyLimit, onRequest: checkHeaders }, async (request, reply) => {
      let parsed;
      try {
        parsed = this.verifier.verify({
          rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
          timestamp: header(request, TIMESTAMP_HEADER),
          signature: header(request, SIGNATURE_HEADER),
        });
      } catch (error) {
        if (!(error instanceof StagingRequestRejectedError)) throw error;
        return refuse(reply, error);
      }
      const results = await this.receiver.receive(parsed.source.server, parsed.tasks);
      return { results };
    });
  }
}
