// Decides whether a staging request may be applied at all: size, source, signature, timestamp, protocol, shape.
import { inject, injectable, type Secret, zodProblems } from '@syncbus/core';
import { verifyStagingSignature } from './request-signature';
import { StagingRequestRejectedError } from './staging-errors';
import { STAGING_PROTOCOL_VERSION, StagingRequestSchema, type StagingRequest } from './staging-protocol';
import { StagingSettings } from './staging-settings';

/** A request as it arrived: the raw body (signatures cover its exact bytes) and the two headers. */
export interface IncomingStagingRequest {
  readonly rawBody: Buffer;
  readonly timestamp?: string;
  readonly signature?: string;
}

/**
 * Verifies staging requests against `staging.receiver`. Every refusal is a `StagingRequestRejectedError` whose
 * `statusCode` is the HTTP answer: 413 too large, 400 not JSON or wrong shape, 401 unknown source, bad
 * signature or a timestamp outside the window, 409 another protocol version.
 */
@injectable()
export class StagingRequestVerifier {
  private readonly secrets: ReadonlyMap<string, Secret>;

  constructor(@inject(StagingSettings) private readonly settings: StagingSettings) {
    this.secrets = new Map(settings.receiver.sources.map((s) => [s.server, s.secret]));
  }

  /** The parsed request, or throws why it is refused. */
  verify(request: IncomingStagingRequest): StagingRequest {
    const { maxBodyBytes, timestampToleranceSeconds } = this.settings.receiver;
    if (request.rawBody.length > maxBodyBytes) {
      throw new StagingRequestRejectedError(
        413,
        'BODY_TOO_LARGE',
        `The body exceeds ${maxBodyBytes} bytes; send smaller batches.`,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody.toString('utf8'));
    } catch (error) {
      throw new StagingRequestRejectedError(
        400,
        'MALFORMED_JSON',
        `The body is not valid JSON: ${(error as Error).message}`,
      );
    }
    const source = (body as { source?: { server?: unknown } } | null)?.source?.server;
    if (typeof source !== 'string' || source.length === 0) {
      throw new StagingRequestRejectedError(
        400,
        'INVALID_REQUEST',
        'The body has no source.server naming the sending server.',
      );
    }
    const secret = this.secrets.get(source);
    if (!secret) {
      throw new StagingRequestRejectedError(
        401,
        'UNKNOWN_SOURCE',
        `This node accepts no tasks from '${source}'; add it with its shared secret to staging.receiver.sources.`,
      );
    }
    const timestamp = request.timestamp ?? '';
    if (!/^\d{1,12}$/.test(timestamp) || !request.signature) {
      throw new StagingRequestRejectedError(
        401,
        'UNSIGNED_REQUEST',
        'The request lacks X-Syncbus-Timestamp (unix seconds) or X-Syncbus-Signature.',
      );
    }
    if (!verifyStagingSignature(secret.reveal(), timestamp, request.rawBody, request.signature)) {
      throw new StagingRequestRejectedError(
        401,
        'BAD_SIGNATURE',
        `The signature does not match; check that '${source}' and this node share the same secret.`,
      );
    }
    const skew = Number(timestamp) - Math.floor(Date.now() / 1000);
    if (Math.abs(skew) > timestampToleranceSeconds) {
      throw new StagingRequestRejectedError(
        401,
        'STALE_TIMESTAMP',
        `The request is ${Math.abs(skew)} s ${skew < 0 ? 'old' : 'in the future'} (more than ${timestampToleranceSeconds} s); ` +
          'check both clocks, and never replay old requests.',
      );
    }
    const protocol = (body as { protocol?: unknown }).protocol;
    if (protocol !== STAGING_PROTOCOL_VERSION) {
      throw new StagingRequestRejectedError(
        409,
        'PROTOCOL_MISMATCH',
        `This node speaks staging protocol ${STAGING_PROTOCOL_VERSION}, the request uses ${JSON.stringify(protocol)}; ` +
          'upgrade the older node.',
      );
    }
    const parsed = StagingRequestSchema.safeParse(body);
    if (!parsed.success) {
      const problems = zodProblems(parsed.error)
        .slice(0, 10)
        .map((p) => `${p.path || '(root)'}: ${p.message}`);
      throw new StagingRequestRejectedError(
        400,
        'INVALID_REQUEST',
        `The body is not a valid staging request: ${problems.join('; ')}`,
      );
    }
    return parsed.data;
  }
}
