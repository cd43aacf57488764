// An integration worker in its own process, as a deployment runs one: the integration bus, the integration auto-sync
// plugin (loaded by package name) and the recording connector, on the database the test names. Run the compiled
// file: `node test/dist/integration/integration-worker-host.js '<IntegrationWorkerOptions as JSON>'`. It writes
// `{"event":"ready","pid":n}` on stdout once booted; logs go to stderr.
import { createLogger, Kernel } from '@syncbus/core';
import { IntegrationModule } from '@syncbus/integration';
import { writeSync } from 'node:fs';
import { contentModel } from '../support/content-model';
import { RecordingConnector } from './recording-connector';

/** What a test passes on the command line. */
export interface IntegrationWorkerOptions {
  readonly databaseUrl: string;
  /** The file the recording connector appends to. */
  readonly recordFile: string;
  readonly integration?: Record<string, unknown>;
  readonly integrationAutoSync?: Record<string, unknown>;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as IntegrationWorkerOptions;
  await Kernel.boot({
    config: {
      database: { url: options.databaseUrl },
      plugins: ['@syncbus/plugin-integration-autosync'],
      integration: options.integration ?? {},
      integrationAutoSync: options.integrationAutoSync ?? {},
      connectors: [{ name: 'recorder', config: { file: options.recordFile } }],
    },
    modules: [IntegrationModule, RecordingConnector],
    ...contentModel,
    handleSignals: true,
    logger: createLogger({ level: 'warn', destination: process.stderr }),
  });
  writeSync(1, `${JSON.stringify({ event: 'ready', pid: process.pid })}\n`);
}

// Only when run as a program: the test imports this file for its types.
if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`integration worker failed to boot: ${(error as Error).stack}\n`);
    process.exit(1);
  });
}
