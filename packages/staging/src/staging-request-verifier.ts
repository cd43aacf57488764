// Decides whether a staging request may be applied at all: size, signature, timestamp, then (only for a request a
// known source signed) JSON, source, protocol, shape.
import { randomBytes } from 'node:crypto';
import {
  checkHmacHeaders,
  checkHmacRequest,
  inject,
  injectable,
  Logger,
  type Secret,
  timestampSkewSeconds,
  jsonDepthExceeds,
  MAX_JSON_DEPTH,
  ValidationError,
  type ConfigProblem,
  zodProblems,
} from '@syncbus/core';
import { LogThrottle } from '@syncbus/core/internal';
import { StagingRequestRejectedError } from './staging-errors';
import {
  isSpokenProtocol,
  OLDEST_STAGING_PROTOCOL_VERSION,
  STAGING_PROTOCOL_VERSION,
  StagingRequestSchema,
  type StagingRequest,
} from './staging-protocol';
import { StagingSettings } from './staging-settings';

/** A request as it arrived: the raw body (signatures cover its exact bytes) and the two headers. */
export interface IncomingStagingRequest {
  readonly rawBody: Buffer;
  readonly timestamp?: string;
  readonly signature?: string;
}

const badSignature = () =>
  new StagingRequestRejectedError(
    'unauthenticated',
    'BAD_SIGNATURE',
    "The signature does not match; check that this node lists the sending node's name in " +
      'staging.receiver.sources with the same shared secret.',
  );

const unsigned = () =>
  new StagingRequestRejectedError(
    'unauthenticated',
    'UNSIGNED_REQUEST',
    'The request lacks X-Syncbus-Timestamp (unix seconds) or X-Syncbus-Signature.',
  );

const stale = (timestamp: string, toleranceSeconds: number) => {
  const skew = timestampSkewSeconds(timestamp);
  return new StagingRequestRejectedError(
    'unauthenticated',
    'STALE_TIMESTAMP',
    `The request is ${Math.abs(skew)} s ${skew < 0 ? 'old' : 'in the future'} (more than ${toleranceSeconds} s); ` +
      'check both clocks, and never replay old requests.',
  );
};

/** 400 `INVALID_REQUEST` naming the wrong fields (at most the first ten a body has). */
const invalidRequest = (problems: readonly ConfigProblem[]) =>
  new ValidationError(
    'INVALID_REQUEST',
    'The body is not a valid staging request; fix these fields and send it again',
    problems,
  );

/**
 * Verifies staging requests against `staging.receiver`. The signature is checked over the raw bytes before the
 * body is parsed: the sender's name is inside the body, so the signature is checked against every source's secret
 * (all of them, each in constant time, so the time taken says nothing about which matched), and the body must
 * then name a source whose secret signed it. Every refusal is a `StagingRequestRejectedError` whose `kind` gives
 * the HTTP answer: 413 too large, 401 unsigned, a bad signature or an unknown source (one answer for both, the
 * detail is logged here) or a timestamp outside the window, 400 not JSON, 409 a protocol version it does not speak; a body of the wrong
 * shape is a `ValidationError` (400 `INVALID_REQUEST` with `problems`).
 */
@injectable()
export class StagingRequestVerifier {
  private readonly sources: readonly (readonly [string, Secret])[];
  // Checked when no source is configured, so an unsigned request is still told apart from a badly signed one.
  private readonly decoyKey = randomBytes(32).toString('hex');
  // Anyone can send refused requests: their lines are throttled, and /metrics counts them all.
  private readonly refusals: LogThrottle;

  constructor(
    @inject(StagingSettings) private readonly settings: StagingSettings,
    @inject(Logger) logger: Logger,
  ) {
    // A source with several secrets (a rotation) is one entry per secret: any of them signs for it.
    this.sources = settings.receiver.sources.flatMap((s) =>
      (Array.isArray(s.secret) ? s.secret : [s.secret]).map((secret) => [s.server, secret] as const),
    );
    this.refusals = new LogThrottle(logger);
  }

  /**
   * What can be refused from the headers alone, before a byte of the body is read (so an unsigned client cannot
   * make the node buffer bodies): a declared length over the limit (413), missing signature headers or a
   * timestamp outside the window (401). `verify` still checks everything once the body has arrived.
   */
  checkHeaders(request: { timestamp?: string; signature?: string; contentLength?: string }): void {
    const { maxBodyBytes, timestampToleranceSeconds } = this.settings.receiver;
    if (request.contentLength !== undefined && Number(request.contentLength) > maxBodyBytes) {
      throw new StagingRequestRejectedError(
        'too-large',
        'BODY_TOO_LARGE',
        `The body exceeds ${maxBodyBytes} bytes; send smaller batches.`,
      );
    }
    const verdict = checkHmacHeaders({ ...request, toleranceSeconds: timestampToleranceSeconds });
    if (verdict === 'unsigned') throw unsigned();
    if (verdict === 'stale') throw stale(request.timestamp!, timestampToleranceSeconds);
  }

  /** The parsed request, or throws why it is refused. Nothing of the body is parsed before its signature holds. */
  verify(request: IncomingStagingRequest): StagingRequest {
    const { maxBodyBytes } = this.settings.receiver;
    if (request.rawBody.length > maxBodyBytes) {
      throw new StagingRequestRejectedError(
        'too-large',
        'BODY_TOO_LARGE',
        `The body exceeds ${maxBodyBytes} bytes; send smaller batches.`,
      );
    }
    const signedBy = this.signers(request);
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody.toString('utf8'));
    } catch (error) {
      throw new StagingRequestRejectedError(
        'invalid',
        'MALFORMED_JSON',
        `The body is not valid JSON: ${(error as Error).message}`,
      );
    }
    if (jsonDepthExceeds(body)) {
      throw new StagingRequestRejectedError(
        'invalid',
        'INVALID_REQUEST',
        `The body nests deeper than ${MAX_JSON_DEPTH} levels; send flatter task data.`,
      );
    }
    const source = (body as { source?: { server?: unknown } } | null)?.source?.server;
    if (typeof source !== 'string' || source.length === 0) {
      throw invalidRequest([
        { path: 'source.server', message: 'is required: the name of the sending server' },
      ]);
    }
    if (!signedBy.includes(source)) {
      const known = this.sources.some(([server]) => server === source);
      this.refusals.warn(
        known ? 'signed with the secret of another source' : 'source not in staging.receiver.sources',
        { source, signedBy },
        'staging request refused',
      );
      throw badSignature();
    }
    const protocol = (body as { protocol?: unknown }).protocol;
    // A version this node does not speak: a newer sender reads the versions this node speaks from the answer's
    // header (the route sets it on every answer) and sends again in one of them.
    if (!isSpokenProtocol(protocol)) {
      throw new StagingRequestRejectedError(
        'conflict',
        'PROTOCOL_MISMATCH',
        `This node speaks staging protocols ${OLDEST_STAGING_PROTOCOL_VERSION} to ${STAGING_PROTOCOL_VERSION}, ` +
          `the request uses ${JSON.stringify(protocol)}; upgrade the older node.`,
      );
    }
    const parsed = StagingRequestSchema.safeParse(body);
    if (!parsed.success) throw invalidRequest(zodProblems(parsed.error).slice(0, 10));
    return parsed.data;
  }

  /** The sources whose secret signed the raw body, inside the time window; throws the 401 otherwise. */
  private signers(request: IncomingStagingRequest): string[] {
    const { timestampToleranceSeconds } = this.settings.receiver;
    const check = (secret: string) =>
      checkHmacRequest({
        secret,
        timestamp: request.timestamp,
        signature: request.signature,
        rawBody: request.rawBody,
        toleranceSeconds: timestampToleranceSeconds,
      });
    // Every secret is tried (no early exit), so the time taken does not depend on which one matched.
    const verdicts =
      this.sources.length > 0
        ? this.sources.map(([server, secret]) => ({ server, check: check(secret.reveal()) }))
        : [{ server: undefined, check: check(this.decoyKey) }];
    if (verdicts[0].check === 'unsigned') throw unsigned();
    const signed = verdicts.flatMap((v) =>
      v.server !== undefined && v.check !== 'bad-signature'
        ? [{ server: v.server, stale: v.check === 'stale' }]
        : [],
    );
    if (signed.length === 0) {
      this.refusals.warn(
        'the signature matches no secret in staging.receiver.sources',
        {},
        'staging request refused',
      );
      throw badSignature();
    }
    // The window depends on the timestamp alone, so every source that signed is equally stale or not.
    if (signed[0].stale) throw stale(request.timestamp!, timestampToleranceSeconds);
    return signed.map((v) => v.server);
  }
}
