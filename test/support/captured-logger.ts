// A real pino logger whose lines a test can read and wait for, instead of sleeping and hoping.
import { createLogger, type Logger } from '@syncbus/core';

/** One parsed log line (pino's JSON), e.g. `{ level: 50, msg, err: { message } }`. */
export type LogLine = Record<string, any> & { level: number; msg: string };

export interface CapturedLogger {
  readonly logger: Logger;
  readonly lines: LogLine[];
  /** Resolves with the first line (already written or still to come) that matches; rejects after `timeoutMs`. */
  waitFor(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

/** Creates a logger at `level` (default `info`) writing into memory. */
export function captureLogger(level = 'info'): CapturedLogger {
  const lines: LogLine[] = [];
  const waiters: { match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  const destination = {
    write(chunk: string) {
      for (const text of chunk.split('\n')) {
        if (!text) continue;
        const line = JSON.parse(text) as LogLine;
        lines.push(line);
        for (const waiter of [...waiters]) {
          if (waiter.match(line)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(line);
          }
        }
      }
    },
  };
  const logger = createLogger({ level, destination });
  return {
    logger,
    lines,
    waitFor(match, timeoutMs = 5000) {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise<LogLine>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no matching log line within ${timeoutMs} ms; lines: ${JSON.stringify(lines)}`));
        }, timeoutMs);
        const waiter = {
          match,
          resolve: (line: LogLine) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        waiters.push(waiter);
      });
    },
  };
}
