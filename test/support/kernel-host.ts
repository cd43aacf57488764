// A syncbus node in its own process, for tests about process behaviour (signals, exit codes). Run the compiled
// file: `node test/dist/support/kernel-host.js '<KernelOptions as JSON>'`. It writes protocol lines on stdout,
// `{"event":"ready"}` once booted and `{"event":"exit","code":n,"journal":[...]}` on exit; logs go to stderr.
import { createLogger, Kernel, type KernelOptions } from '@syncbus/core';
import { writeSync } from 'node:fs';

/** A line the host writes on stdout. */
export type HostEvent =
  | { readonly event: 'ready'; readonly modules: readonly string[] }
  | { readonly event: 'exit'; readonly code: number; readonly journal: readonly string[] }
  | { readonly event: 'boot-failed'; readonly message: string };

// fs.writeSync: the line is out before the process is gone, even from an 'exit' handler.
const send = (event: HostEvent) => writeSync(1, `${JSON.stringify(event)}\n`);

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as Pick<KernelOptions, 'config' | 'baseDir'>;
  process.on('exit', (code) => {
    const journal = (globalThis as { __lifecycleJournal?: string[] }).__lifecycleJournal ?? [];
    send({ event: 'exit', code, journal });
  });
  try {
    const kernel = await Kernel.boot({
      ...options,
      handleSignals: true,
      logger: createLogger({ level: 'info', destination: process.stderr }),
    });
    send({ event: 'ready', modules: kernel.modules.map((m) => m.name) });
  } catch (error) {
    send({ event: 'boot-failed', message: (error as Error).message });
    process.exitCode = 1;
  }
}

void main();
