// Runs the built `syncbus` executable as a child process, as a user's shell would.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

/** What a CLI run printed and how it exited. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

// Every CLI call is a new Node process that boots a node (1-3 s each on a busy 2-core machine), and a test drives
// several: suites that drive the CLI get 90 s per test instead of the default 30 s.
jest.setTimeout(90_000);

/** Path of the built bin (`npm test` builds before running Jest). */
export const CLI_BIN = join(__dirname, '..', '..', 'packages', 'cli', 'dist', 'bin.js');

/** Runs `syncbus ...args` in `cwd` with extra environment; rejects only if it runs past `timeoutMs`. */
export function runCli(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `syncbus ${args.join(' ')} ran past ${options.timeoutMs ?? 20000} ms\n${stdout}\n${stderr}`,
        ),
      );
    }, options.timeoutMs ?? 20000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A `syncbus start` process and the URL it serves. */
export interface StartedNode {
  readonly child: ChildProcess;
  readonly url: string;
}

/**
 * `syncbus start` in a child process from the repository's root (as the README runs it); resolves once it says
 * it is running.
 */
export async function startNode(config: string, env: NodeJS.ProcessEnv = {}): Promise<StartedNode> {
  const child = spawn(process.execPath, [CLI_BIN, '--config', config, 'start'], {
    cwd: join(__dirname, '..', '..'),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const url = await new Promise<string>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`${config} did not start in 30 s:\n${stderr}`)), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const running = /is running at (\S+)/.exec(line);
      if (running) {
        clearTimeout(timer);
        ready(running[1]);
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      fail(new Error(`${config} exited (${code}) before it was running:\n${stderr}`));
    });
  });
  return { child, url };
}
