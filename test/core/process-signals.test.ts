// A node started with handleSignals stops cleanly on SIGTERM and SIGINT: every onStop runs, in reverse
// dependency order, storage closes, and the process exits 0. Runs a real child process.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { HostEvent } from '../support/kernel-host';
import { tempSqliteUrl } from '../support/temp-sqlite';

const root = resolve(__dirname, '../..');
const hostSource = join(root, 'test/support/kernel-host.ts');
const hostScript = join(root, 'test/dist/support/kernel-host.js');

interface Child {
  next(event: HostEvent['event'], timeoutMs?: number): Promise<HostEvent>;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function startHost(options: object): Child {
  const child = spawn(process.execPath, [hostScript, JSON.stringify(options)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const events: HostEvent[] = [];
  const waiters: { event: string; resolve: (e: HostEvent) => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = JSON.parse(line) as HostEvent;
    const waiter = waiters.find((w) => w.event === event.event);
    if (waiter) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(event);
    } else events.push(event);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((done) =>
    child.on('close', (code, signal) => done({ code, signal, stderr })),
  );
  return {
    next(name, timeoutMs = 15_000) {
      const seen = events.find((e) => e.event === name);
      if (seen) {
        events.splice(events.indexOf(seen), 1);
        return Promise.resolve(seen);
      }
      return new Promise((resolvePromise, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`host sent no '${name}' within ${timeoutMs} ms; stderr:\n${stderr}`));
        }, timeoutMs);
        waiters.push({
          event: name,
          resolve: (e) => {
            clearTimeout(timer);
            resolvePromise(e);
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`host exited before sending '${name}'; stderr:\n${stderr}`));
        });
      });
    },
    kill: (signal) => void child.kill(signal),
    exited,
  };
}

describe('stopping on a signal (child process)', () => {
  beforeAll(() => {
    // The child runs compiled code, as a deployed node does; make sure it is the code in this tree.
    if (!existsSync(hostScript) || statSync(hostScript).mtimeMs < statSync(hostSource).mtimeMs) {
      throw new Error(`${hostScript} is missing or older than its source; run \`npm run build\` first.`);
    }
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s every module stops in reverse order and the process exits 0',
    async (signal) => {
      const host = startHost({
        config: {
          database: { url: tempSqliteUrl('signals') },
          plugins: ['@syncbus-fixtures/lifecycle-plugin'],
          greeter: { greeting: 'hey' },
        },
      });
      const ready = await host.next('ready');
      expect(ready).toEqual({ event: 'ready', modules: ['StorageFixture', 'Greeter'] });

      host.kill(signal);
      const exit = await host.next('exit');
      const { code, signal: killedBy, stderr } = await host.exited;

      expect({ code, killedBy }).toEqual({ code: 0, killedBy: null });
      expect(exit).toEqual({
        event: 'exit',
        code: 0,
        journal: [
          'StorageFixture.onInit',
          'Greeter.onInit',
          'StorageFixture.onStart',
          'Greeter.onStart:hey',
          'Greeter.onStop',
          'StorageFixture.onStop',
        ],
      });
      expect(stderr).toContain('syncbus node stopped');
    },
  );
});
