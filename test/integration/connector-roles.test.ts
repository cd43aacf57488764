// A process whose role processes nothing (a host's `log-only` web process, a `receiver`) still logs integration
// tasks, and leaves them to the node's workers: no drain, no connector check or call, and the seed's
// processInternalTask answers undefined instead of processing in a process that was told not to.
import { IntegrationEvents, IntegrationHelper, IntegrationSynchronizations } from '@syncbus/integration';
import { type IntegrationProcessResult } from '@syncbus/integration/sdk';
import { resetScripts, scriptOf } from '@syncbus-fixtures/scripted-connector';
import { bootConnectorNode, until, type ConnectorNode } from '../connectors/connector-node';
import { Article } from '../support/content-model';
import { tempSqliteUrl } from '../support/temp-sqlite';

describe.each(['log-only', 'receiver'])('integration in a process of role %s', (role) => {
  let node: ConnectorNode | undefined;
  afterEach(() => node?.stop());
  beforeEach(() => resetScripts());

  it('logs the task, checks and calls no connector, and processInternalTask answers undefined', async () => {
    node = await bootConnectorNode({
      databaseUrl: tempSqliteUrl(`connector-role-${role}`),
      plugins: ['@syncbus-fixtures/scripted-connector'],
      connectors: [{ name: 'alpha', config: { endpoint: 'https://crm.example.test' } }],
      env: { ...process.env, SYNCBUS_ROLE: role },
    });
    const kernel = node.kernel;
    expect(kernel.settings.core.role).toBe(role);
    const results: (IntegrationProcessResult | undefined)[] = [];
    kernel.get(IntegrationEvents).logInternalTask.after.subscribe(async (e) => {
      results.push(await kernel.get(IntegrationHelper).getConnector('alpha')!.processInternalTask(e.task));
    });
    await node.storage.dataSource.getRepository(Article).save({ guid: 'kept', title: 'Kept for a worker' });
    await until(() => results.length === 1, 'the handler to get its answer');
    expect(results).toEqual([undefined]);
    expect(scriptOf('alpha').checks).toBe(0);
    expect(scriptOf('alpha').received).toEqual([]);
    const waiting = await kernel.get(IntegrationSynchronizations).list('alpha');
    expect(waiting.map((row) => row.status)).toEqual(['pending']);
  });
});
