// A staging source node with the auto-sync plugin in its own process, for the crash test: run the compiled file,
// `node test/dist/autosync/autosync-source-host.js '<options as JSON>'`. It writes `{"event":"ready"}` on stdout once
// booted; logs go to stderr. Secrets come from its environment, as in production.
import { createLogger, Kernel } from '@syncbus/core';
import { StagingModule } from '@syncbus/staging';
import { writeSync } from 'node:fs';
import { contentModel } from '../support/content-model';

/** What the test passes on the command line. */
export interface SourceHostOptions {
  readonly databaseUrl: string;
  readonly servers: readonly { name: string; url: string; secret: string }[];
  readonly staging?: Record<string, unknown>;
  readonly stagingAutoSync?: Record<string, unknown>;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as SourceHostOptions;
  await Kernel.boot({
    config: {
      nodeName: 'source',
      database: { url: options.databaseUrl },
      plugins: ['@syncbus/plugin-staging-autosync'],
      staging: options.staging ?? {},
      servers: options.servers,
      stagingAutoSync: options.stagingAutoSync ?? {},
    },
    modules: [StagingModule],
    ...contentModel,
    handleSignals: true,
    logger: createLogger({ level: 'warn', destination: process.stderr }),
  });
  writeSync(1, `${JSON.stringify({ event: 'ready' })}\n`);
}

main().catch((error) => {
  process.stderr.write(`source host failed to boot: ${(error as Error).stack}\n`);
  process.exit(1);
});
