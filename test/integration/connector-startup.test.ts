// Boot resolves when every connector's state is known (issue 18, item 5): a failing check is visible the moment
// boot returns, and a change made right after boot is processed by the seed's processInternalTask call, not taken
// by the drain's first pass. The scripted check takes 300 ms, so on a node that checked in its first background
// pass instead, both would lose the race every time.
import { ConnectorOverview, IntegrationEvents, IntegrationHelper } from '@syncbus/integration';
import { IntegrationProcessResult } from '@syncbus/integration/sdk';
import { resetScripts, scriptOf } from '@syncbus-fixtures/scripted-connector';
import { bootConnectorNode, until, type ConnectorNode } from '../connectors/connector-node';
import { Article } from '../support/content-model';
import { tempSqliteUrl } from '../support/temp-sqlite';

describe('a node with connectors, right after boot', () => {
  let node: ConnectorNode | undefined;
  afterEach(() => node?.stop());
  const boot = (name: string) =>
    bootConnectorNode({
      databaseUrl: tempSqliteUrl(`connector-startup-${name}`),
      plugins: ['@syncbus-fixtures/scripted-connector'],
      connectors: [{ name: 'alpha', config: { endpoint: 'https://crm.example.test' } }],
    });

  beforeEach(() => {
    resetScripts();
    scriptOf('alpha').checkDelayMs = 300;
  });

  it("shows a connector's failed check as soon as boot resolves", async () => {
    // The check keeps failing, so its later probes (which may come at any time after boot) change nothing here.
    scriptOf('alpha').checkFailures = 1000;
    scriptOf('alpha').checkError = 'the CRM refuses our token';
    node = await boot('check');
    // Read the moment boot resolved: the first check has run, and its outcome is recorded.
    const checksAtBoot = scriptOf('alpha').checks;
    expect(checksAtBoot).toBe(1);
    const alpha = await node.kernel.get(ConnectorOverview).get('alpha');
    expect(alpha.paused?.reason).toMatch(/check\(\) failed: the CRM refuses our token/);
  });

  it("leaves a change logged right after boot to the seed's processInternalTask, which answers its result", async () => {
    node = await boot('race');
    const kernel = node.kernel;
    const results: (IntegrationProcessResult | undefined)[] = [];
    kernel.get(IntegrationEvents).logInternalTask.after.subscribe(async (e) => {
      results.push(await kernel.get(IntegrationHelper).getConnector('alpha')!.processInternalTask(e.task));
    });
    await node.storage.dataSource.getRepository(Article).save({ guid: 'first', title: 'First' });
    await until(() => results.length === 1, 'the handler to get its answer');
    expect(results).toEqual([IntegrationProcessResult.OK]);
    expect(scriptOf('alpha').received.map((t) => `${t.objectGuid} ${t.mode}`)).toEqual(['first async']);
  });
});
