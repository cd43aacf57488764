// Decides whether a staging request may be applied at all: size, source, signature, timestamp, protocol, shape.
import { randomBytes } from 'node:crypto';
import { checkHmacRequest, inject, injectable, Logger, type Secret, zodProblems } from '@syncbus/core';
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
 * `statusCode` is the HTTP answer: 413 too large, 400 not JSON or wrong shape, 401 unsigned, a bad signature or
 * an unknown source (one answer for both, the detail is logged here) or a timestamp outside the window, 409
 * another protocol version.
 */
@injectable()
export class StagingRequestVerifier {
  private readonly secrets: ReadonlyMap<string, Secret>;
  private readonly decoyKey = randomBytes(32).toString('hex');

  constructor(
    @inject(StagingSettings) private readonly settings: StagingSettings,
    @inject(Logger) private readonly logger: Logger,
  ) {
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
    // Unknown source or wrong signature get the same answer, so a caller cannot probe which names are configured;
    // an unknown source is still checked against a key (nobody's), so both take the same time.
    const check = checkHmacRequest({
      secret: secret?.reveal() ?? this.decoyKey,
      timestamp: request.timestamp,
      signature: request.signature,
      rawBody: request.rawBody,
      toleranceSeconds: timestampToleranceSeconds,
    });
    if (check === 'unsigned') {
      throw new StagingRequestRejectedError(
        401,
        'UNSIGNED_REQUEST',
        'The request lacks X-Syncbus-Timestamp (unix seconds) or X-Syncbus-Signature.',
      );
    }
    if (!secret || check === 'bad-signature') {
      this.logger.warn(
        { source, reason: secret ? 'bad signature' : 'source not in staging.receiver.sources' },
        'staging request refused',
      );
      throw new StagingRequestRejectedError(
        401,
        'BAD_SIGNATURE',
        "The signature does not match; check that this node lists the sending node's name in " +
          'staging.receiver.sources with the same shared secret.',
      );
    }
    if (check === 'stale') {
      const skew = Number(request.timestamp) - Math.floor(Date.now() / 1000);
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
