// `syncbus demo`: shows staging, auto-sync and a connector at work on temporary databases.
import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../cli-context';
import { CliError, ExitCode } from '../cli-error';
import { runDemo } from '../demo/demo-run';

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number above 0');
  return n;
}

/** Registers `demo`. */
export function registerDemoCommand(program: Command, context: CliContext): void {
  program
    .command('demo')
    .description(
      'Run a source and a target node with auto-sync and a webhook connector on temporary databases',
    )
    .option('--once', 'exit after the summary (status 0 only if everything arrived)')
    .option('--burst <n>', 'article changes in the burst step', positive, 200)
    .option('--timeout <ms>', 'longest wait for everything to arrive', positive, 60_000)
    .action(async (options: { once?: boolean; burst: number; timeout: number }) => {
      const result = await runDemo({
        once: options.once ?? false,
        burst: options.burst,
        timeoutMs: options.timeout,
        out: context.streams.stdout,
        err: context.streams.stderr,
      });
      if (!result.complete)
        throw new CliError('The demo finished but not everything arrived.', ExitCode.incomplete);
    });
}
