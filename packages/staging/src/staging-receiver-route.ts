// The staging receiver's HTTP route: verifies a signed request on its raw bytes, then applies its tasks.
import { inject, injectable } from '@syncbus/core';
import { headerMap, isJsonContentType, UnsupportedMediaTypeError } from '@syncbus/server/internal';
import { type HttpRouteContribution } from '@syncbus/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  PROTOCOL_HEADER,
  resultsForProtocol,
  SIGNATURE_HEADER,
  STAGING_PROTOCOL_VERSION,
  STAGING_TASKS_PATH,
  TIMESTAMP_HEADER,
} from './staging-protocol';
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
    // Runs before fastify reads the body: an unsigned, stale or oversized request costs no body buffer, and its
    // connection is closed rather than drained. Refusals are thrown: the node's error handler answers them
    // (@syncbus/server's one mapping from an error's kind to its status).
    const checkHeaders = async (request: FastifyRequest, reply: FastifyReply) => {
      // Every answer, a refusal too, says which protocol version this node speaks up to: a newer sender refused
      // with PROTOCOL_MISMATCH sends again in it, and one that remembered an older version moves up.
      reply.header(PROTOCOL_HEADER, String(STAGING_PROTOCOL_VERSION));
      try {
        if (!isJsonContentType(request.headers['content-type'])) throw new UnsupportedMediaTypeError();
        const headers = headerMap(request.headers);
        this.verifier.checkHeaders({
          timestamp: headers[TIMESTAMP_HEADER],
          signature: headers[SIGNATURE_HEADER],
          contentLength: headers['content-length'],
        });
      } catch (error) {
        reply.header('connection', 'close');
        throw error;
      }
    };
    app.post(STAGING_TASKS_PATH, { bodyLimit, onRequest: checkHeaders }, async (request) => {
      const headers = headerMap(request.headers);
      const parsed = this.verifier.verify({
        rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        timestamp: headers[TIMESTAMP_HEADER],
        signature: headers[SIGNATURE_HEADER],
      });
      const results = await this.receiver.receive(parsed.source.server, parsed.tasks);
      // Answered in the request's version: a version-1 sender gets only the statuses it knows.
      return { protocol: parsed.protocol, results: resultsForProtocol(results, parsed.protocol) };
    });
  }
}
