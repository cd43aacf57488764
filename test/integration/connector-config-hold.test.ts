// A connector whose config is refused holds its tasks, and says why on every one of them, those logged after its
// first pass too (issue 18, item 5); fixed and restarted, it sends them at once, not after the hold's timer.
import { IntegrationSynchronizations } from '@syncbus/integration';
import { resetScripts, scriptOf } from '@syncbus-fixtures/scripted-connector';
import { bootConnectorNode, until, type ConnectorNode } from '../connectors/connector-node';
import { Article } from '../support/content-model';
import { tempSqliteUrl } from '../support/temp-sqlite';

describe('a connector with a refused config', () => {
  let node: ConnectorNode | undefined;
  afterAll(() => node?.stop());

  it('holds every task with the reason, and sends them all once fixed', async () => {
    resetScripts();
    const databaseUrl = tempSqliteUrl('config-hold');
    const boot = (endpoint: string) =>
      bootConnectorNode({
        databaseUrl,
        plugins: ['@syncbus-fixtures/scripted-connector'],
        connectors: [{ name: 'alpha', config: { endpoint } }],
      });
    node = await boot('not a url');
    const rows = () => node!.kernel.get(IntegrationSynchronizations).list('alpha');
    const save = (guid: string) =>
      node!.storage.dataSource.getRepository(Article).save({ guid, title: guid });
    const reason = /^connector 'alpha' cannot work now: [\s\S]*connectors\.0\.config\.endpoint: Invalid URL/;

    await save('early');
    await until(async () => (await rows())[0]?.lastError, 'the first task to say why it waits');
    // Logged after the drain's first pass noted the problem: it must say so too.
    await save('late');
    const held = await until(async () => {
      const all = await rows();
      return all.length === 2 && all.every((r) => r.lastError) ? all : undefined;
    }, 'the later task to say why it waits');
    expect(held.map((r) => [r.objectKey, r.attempts, r.lastError])).toEqual([
      ['cms.article:early', 0, expect.stringMatching(reason)],
      ['cms.article:late', 0, expect.stringMatching(reason)],
    ]);
    expect(scriptOf('alpha').received).toEqual([]);

    await node.stop();
    node = await boot('https://crm.example.test');
    await until(async () => (await rows()).length === 0, 'both held tasks to be sent after the fix');
    expect(scriptOf('alpha').received.map((t) => t.objectGuid)).toEqual(['early', 'late']);
  });
});
