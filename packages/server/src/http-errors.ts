// The one mapping from errors to HTTP answers: an error's kind decides the status, its code and message (and, for
// a ValidationError, its problems) make the body. Every route of the node answers refusals through it.
import {
  SyncbusError,
  ValidationError,
  type ConfigProblem,
  type ErrorKind,
  type Logger,
} from '@syncbus/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** The status of each kind of refusal; an error without a kind is the node's failure (500). */
export const HTTP_STATUS_OF_KIND: Readonly<Record<ErrorKind, number>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  'unsupported-media-type': 415,
  unprocessable: 422,
  unavailable: 503,
};

/** Every refusal's body: a stable code, what to change, and for wrong fields each of them by path. */
export interface HttpErrorBody {
  readonly error: string;
  readonly message: string;
  readonly problems?: readonly ConfigProblem[];
}

const INTERNAL_MESSAGE = 'The node failed to handle the request; see its log.';

/**
 * The status an error is answered with: its kind's; for fastify's own errors (a body too large, a schema
 * validation, malformed JSON) the 4xx fastify gives it; otherwise 500. The kind is read by name rather than by
 * class, so an error from another copy of @syncbus/core (a plugin's own install) is answered the same.
 */
export function httpStatusOf(error: unknown): number {
  const kind = kindOf(error);
  if (kind) return HTTP_STATUS_OF_KIND[kind];
  if (error instanceof SyncbusError) return 500;
  const status = (error as Partial<FastifyError> | undefined)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
}

/** True for a failure of the node (500, logged), as opposed to a refusal (a kind, or fastify's own 4xx). */
function isFailure(error: unknown): boolean {
  return !kindOf(error) && httpStatusOf(error) >= 500;
}

/**
 * The body an error is answered with. A failure of the node says nothing of itself but its code (the log has the
 * rest); a refusal gives its message and, when it names fields (a `ValidationError`, or fastify's schema
 * validation), its `problems`.
 */
export function errorBodyOf(error: unknown): HttpErrorBody {
  const code = (error as { code?: unknown } | undefined)?.code;
  const body = { error: typeof code === 'string' ? code : 'INTERNAL_ERROR' };
  if (isFailure(error)) return { ...body, message: INTERNAL_MESSAGE };
  const message = (error as Error).message;
  const problems = problemsOf(error);
  return problems ? { ...body, message, problems } : { ...body, message };
}

/** Answers `error` with its status and body. */
export function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  return reply.code(httpStatusOf(error)).send(errorBodyOf(error));
}

/**
 * The node's error handler (`app.setErrorHandler(httpErrorHandler(logger))`): whatever a route throws is answered
 * by `sendError`, and failures of the node (500; a refusal of kind `unavailable` is no failure) are logged. A
 * route refuses by throwing a `SyncbusError` with a kind, or calls `sendError` where it must answer from a hook.
 */
export function httpErrorHandler(logger?: Logger) {
  return (error: unknown, _request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (isFailure(error)) logger?.error({ err: error }, 'an HTTP request failed');
    return sendError(reply, error);
  };
}

function kindOf(error: unknown): ErrorKind | undefined {
  const kind = (error as { kind?: unknown } | undefined)?.kind;
  return typeof kind === 'string' && Object.hasOwn(HTTP_STATUS_OF_KIND, kind)
    ? (kind as ErrorKind)
    : undefined;
}

/** The wrong fields an error names, or undefined. Fastify's schema validation becomes `<part>.<path>` problems. */
function problemsOf(error: unknown): readonly ConfigProblem[] | undefined {
  if (error instanceof ValidationError) return error.problems;
  const own = (error as { problems?: unknown }).problems;
  if (kindOf(error) === 'invalid' && Array.isArray(own) && own.length > 0) return own as ConfigProblem[];
  if (kindOf(error) || error instanceof SyncbusError) return undefined;
  const { validation, validationContext } = error as Partial<FastifyError>;
  if (!Array.isArray(validation) || validation.length === 0) return undefined;
  return validation.map((v) => ({
    path: [validationContext, ...v.instancePath.split('/')].filter(Boolean).join('.'),
    message: v.message ?? 'is not valid',
  }));
}
