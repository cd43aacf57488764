// Progress of long work: a bar with counts and rate on a terminal, plain periodic lines otherwise.
import { SingleBar, Presets } from 'cli-progress';
import type { Writable } from 'node:stream';

/** Reports progress of `total` units of work. */
export interface Progress {
  /** Sets the units done so far (and counters such as `failed`). */
  update(done: number, extra?: Record<string, number>): void;
  /** Ends the display. */
  stop(): void;
}

/**
 * A bar (cli-progress) when `stream` is a TTY, else a line at most every `intervalMs` and at the end, so logs
 * and CI output stay readable.
 */
export function createProgress(
  label: string,
  total: number,
  stream: Writable & { isTTY?: boolean },
  intervalMs = 1000,
): Progress {
  const started = Date.now();
  if (stream.isTTY) {
    const bar = new SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} | {rate}/s | failed {failed} | {duration_formatted}`,
        stream: stream as NodeJS.WriteStream,
        hideCursor: true,
      },
      Presets.shades_classic,
    );
    bar.start(total, 0, { rate: 0, failed: 0 });
    return {
      update: (done, extra) => bar.update(done, { rate: rate(done, started), failed: extra?.failed ?? 0 }),
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  let latest = 0;
  let latestExtra: Record<string, number> | undefined;
  const line = () => {
    const extras = Object.entries(latestExtra ?? {})
      .map(([k, v]) => ` ${k}=${v}`)
      .join('');
    stream.write(`${label}: ${latest}/${total} (${rate(latest, started)}/s)${extras}\n`);
  };
  return {
    update: (done, extra) => {
      latest = done;
      latestExtra = extra;
      if (Date.now() - last >= intervalMs) {
        last = Date.now();
        line();
      }
    },
    stop: line,
  };
}

function rate(done: number, started: number): number {
  const seconds = (Date.now() - started) / 1000;
  return seconds > 0 ? Math.round(done / seconds) : 0;
}
