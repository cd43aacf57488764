// The structured logger every service gets injected (pino), with secrets redacted by path.
import pino from 'pino';

/** The injected logger (pino's API: `logger.info({ taskId }, 'message')`). */
export const Logger = Symbol('Logger');
export type Logger = pino.Logger;

/** Field names that never reach a log line, at any of the first levels of nesting. */
const SECRET_FIELDS = ['secret', 'password', 'token', 'authorization', 'apiKey', 'signature'];
const REDACT_PATHS = [
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
  'headers["x-syncbus-signature"]',
];

/** Options of `createLogger`. */
export interface LoggerOptions {
  readonly level?: string;
  readonly name?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to read what was logged. */
  readonly destination?: pino.DestinationStream;
}

/** Creates the kernel's logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? 'syncbus',
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    options.destination,
  );
}
