// `Kernel.boot({ env })` is where a node reads its secrets (issue 18, item 2): a connector's config and a staging
// server added at run time resolve their references there, so a test or an embedding host hands secrets in without
// touching the process environment.
import { createHmac, randomBytes } from 'node:crypto';
import { ServerInfoProvider, StagingTaskRunnerFactory } from '@syncbus/staging';
import { bootConnectorNode, until, type ConnectorNode } from '../connectors/connector-node';
import { startReceiver, type WebhookReceiver } from '../connectors/webhook-receiver';
import { Article } from '../support/content-model';
import { bootStagingNode, createTestSecret, type StagingNode } from '../support/staging-nodes';
import { tempSqliteUrl } from '../support/temp-sqlite';

/** A secret only the node's own environment holds. */
function kernelOnlySecret() {
  const variable = `SYNCBUS_KERNEL_ONLY_${randomBytes(6).toString('hex').toUpperCase()}`;
  return { variable, value: randomBytes(24).toString('hex'), ref: `env:${variable}` };
}

describe("secrets from the kernel's environment", () => {
  let receiver: WebhookReceiver | undefined;
  let connectorNode: ConnectorNode | undefined;
  let source: StagingNode | undefined;
  let target: StagingNode | undefined;
  afterAll(async () => {
    await connectorNode?.stop();
    await receiver?.close();
    await source?.stop();
    await target?.stop();
  });

  it('signs a connector’s calls with a secret given only in Kernel.boot({ env })', async () => {
    const secret = kernelOnlySecret();
    expect(process.env[secret.variable]).toBeUndefined();
    receiver = await startReceiver();
    connectorNode = await bootConnectorNode({
      databaseUrl: tempSqliteUrl('kernel-env-connector'),
      plugins: ['@syncbus/connector-webhook'],
      connectors: [{ name: 'webhook', config: { url: receiver.url, secret: secret.ref, timeoutMs: 1000 } }],
      env: { [secret.variable]: secret.value },
    });
    await connectorNode.storage.dataSource.getRepository(Article).save({ guid: 'e-1', title: 'From env' });
    await until(() => receiver!.calls.length === 1, 'the webhook call');
    const [call] = receiver.calls;
    const timestamp = String(call.headers['x-syncbus-timestamp']);
    const signature = createHmac('sha256', secret.value).update(`${timestamp}.${call.rawBody}`).digest('hex');
    expect(call.headers['x-syncbus-signature']).toBe(`v1=${signature}`);
  });

  it('sends to a server added at run time with a secret given only in Kernel.boot({ env })', async () => {
    const shared = createTestSecret(); // the target reads its copy from the process environment
    target = await bootStagingNode({
      name: 'production',
      acceptFrom: [{ server: 'editorial', secret: shared }],
    });
    const own = kernelOnlySecret();
    source = await bootStagingNode({
      name: 'editorial',
      http: false,
      env: { [own.variable]: shared.value },
    });
    const server = await source.kernel
      .get(ServerInfoProvider)
      .addServer({ name: 'production', url: target.url!, secret: own.ref });
    await source.storage.dataSource.getRepository(Article).save({ guid: 'e-2', title: 'Staged with env' });
    const summary = await source.kernel.get(StagingTaskRunnerFactory).create(server.id).runSynchronization();
    expect(summary).toMatchObject({ sent: 1, applied: 1, failed: 0 });
    expect(summary.error).toBeUndefined();
    const arrived = await target.storage.dataSource.getRepository(Article).findOneBy({ guid: 'e-2' });
    expect(arrived?.title).toBe('Staged with env');
  });
});
