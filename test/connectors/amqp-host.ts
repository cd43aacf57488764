// A host node with the AMQP connector in its own process, so a test can SIGKILL it at an exact point. Run the
// compiled file: `node test/dist/connectors/amqp-host.js '<config as JSON>'`. It writes `{"event":"ready"}` on stdout
// once booted; logs go to stderr as JSON lines.
//
// Test-only switch: SYNCBUS_TEST_KILL_AFTER_COMMIT=<externalId> makes the process SIGKILL itself inside
// `logExternalTask.after` of that object, i.e. right after the incoming task committed and before the consumer
// acknowledges the message: the crash window the incoming ledger exists for.
import { createLogger, Kernel } from '@syncbus/core';
import { IntegrationEvents, IntegrationModule } from '@syncbus/integration';
import { writeSync } from 'node:fs';
import { contentModel } from '../support/content-model';

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
  const kernel = await Kernel.boot({
    config,
    modules: [IntegrationModule],
    ...contentModel,
    handleSignals: true,
    logger: createLogger({ level: 'info', destination: process.stderr }),
  });
  const killAt = process.env.SYNCBUS_TEST_KILL_AFTER_COMMIT;
  if (killAt) {
    kernel.get(IntegrationEvents).logExternalTask.after.subscribe(({ task }) => {
      if (task.objectGuid === killAt) {
        writeSync(1, `${JSON.stringify({ event: 'killing', task: task.guid })}\n`);
        process.kill(process.pid, 'SIGKILL');
      }
    });
  }
  writeSync(1, `${JSON.stringify({ event: 'ready' })}\n`);
}

main().catch((error) => {
  writeSync(1, `${JSON.stringify({ event: 'boot-failed', message: (error as Error).message })}\n`);
  process.exitCode = 1;
});
