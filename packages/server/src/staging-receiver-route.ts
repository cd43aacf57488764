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
import type { FastifyInstance } from 'fastify';
import type { HttpRouteContribution } from './http-route-contribution';

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
    app.post(STAGING_TASKS_PATH, { bodyLimit }, async (request, reply) => {
      const header = (name: string) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      let parsed;
      try {
        parsed = this.verifier.verify({
          rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
          timestamp: header(TIMESTAMP_HEADER),
          signature: header(SIGNATURE_HEADER),
        });
      } catch (error) {
        if (!(error instanceof StagingRequestRejectedError)) throw error;
        return reply.code(error.statusCode).send({ error: error.code, message: error.message });
      }
      const results = await this.receiver.receive(parsed.source.server, parsed.tasks);
      return { results };
    });
  }
}
