// The staging receiver's HTTP route: verifies a signed request on its raw bytes, then applies its tasks.
import { inject, injectable } from '@syncbus/core';
import {
  headerMap,
  isJsonContentType,
  UNSUPPORTED_MEDIA_TYPE,
  type HttpRouteContribution,
} from '@syncbus/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StagingRequestRejectedError } from './staging-errors';
import { SIGNATURE_HEADER, STAGING_TASKS_PATH, TIMESTAMP_HEADER } from './staging-protocol';
import { StagingReceiver } from './staging-receiver';
import { StagingRequestVerifier } from './staging-request-verifier';
import { StagingSettings } from './staging-settings';

/** `POST /syncbus/staging/v1/tasks` (docs/staging-protocol.md). */
@injectable()
export class StagingReceiverRoute implements HttpRouteContribution {
  readonly name = 'staging-receiver';
  readonly receives = true;

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
    const refuse = (reply: FastifyReply, error: StagingRequestRejectedError) =>
      reply.code(error.statusCode).send({ error: error.code, message: error.message });
    // Runs before fastify reads the body: an unsigned, stale or oversized request costs no body buffer, and its
    // connection is closed rather than drained.
    const checkHeaders = async (request: FastifyRequest, reply: FastifyReply) => {
      if (!isJsonContentType(request.headers['content-type'])) {
        return reply.code(415).header('connection', 'close').send(UNSUPPORTED_MEDIA_TYPE);
      }
      const headers = headerMap(request.headers);
      try {
        this.verifier.checkHeaders({
          timestamp: headers[TIMESTAMP_HEADER],
          signature: headers[SIGNATURE_HEADER],
          contentLength: headers['content-length'],
        });
      } catch (error) {
        if (!(error instanceof StagingRequestRejectedError)) throw error;
        reply.header('connection', 'close');
        return refuse(reply, error);
      }
    };
    app.post(STAGING_TASKS_PATH, { bodyLimit, onRequest: checkHeaders }, async (request, reply) => {
      const headers = headerMap(request.headers);
      let parsed;
      try {
        parsed = this.verifier.verify({
          rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
          timestamp: headers[TIMESTAMP_HEADER],
          signature: headers[SIGNATURE_HEADER],
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
