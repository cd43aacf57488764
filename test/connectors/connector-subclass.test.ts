// A second named instance of a published connector is a subclass (issue 18, item 1): `class X extends
// WebhookConnector {}` must keep the parent's injections, and so must a subclass that adds injections of its own.
// The subclasses live in a plugin folder written here, loaded by path as a host's own plugin would be.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Article } from '../support/content-model';
import { createTestSecret } from '../support/staging-nodes';
import { tempSqliteUrl } from '../support/temp-sqlite';
import { bootConnectorNode, until, type ConnectorNode } from './connector-node';
import { startReceiver, type WebhookReceiver } from './webhook-receiver';

const PLUGIN = `
const { inject, CoreSettings, IntegrationConnector } = require('@syncbus/integration/sdk');
const { WebhookConnector, WebhookConfigSchema } = require('@syncbus/connector-webhook');

// No constructor of its own: built with WebhookConnector's injections.
class CrmCopy extends WebhookConnector {}
IntegrationConnector({ name: 'crm-copy', displayName: 'CRM copy', configSchema: WebhookConfigSchema })(CrmCopy);

// Its own constructor, with one injection more than its parent's.
class CrmAudited extends WebhookConnector {
  constructor(core, settings) {
    super(core);
    this.nodeSeen = settings.nodeName;
  }
}
inject(CoreSettings)(CrmAudited, undefined, 0);
inject(CoreSettings)(CrmAudited, undefined, 1);
IntegrationConnector({ name: 'crm-audited', displayName: 'CRM audited', configSchema: WebhookConfigSchema })(
  CrmAudited,
);

module.exports = { CrmCopy, CrmAudited };
`;

describe('a connector subclassed for a second named instance', () => {
  const secret = createTestSecret();
  let receiver: WebhookReceiver;
  let node: ConnectorNode | undefined;
  afterAll(async () => {
    await node?.stop();
    await receiver?.close();
  });

  it('keeps its parent’s injections with or without a constructor of its own, and delivers', async () => {
    receiver = await startReceiver();
    const calls: string[] = [];
    receiver.answer = (call, response) => {
      calls.push(String(call.url));
      response.writeHead(200).end();
    };
    const root = mkdtempSync(join(tmpdir(), 'syncbus-subclass-'));
    symlinkSync(join(__dirname, '..', '..', 'node_modules'), join(root, 'node_modules'), 'dir');
    const plugin = join(root, 'crm-connectors');
    mkdirSync(plugin);
    writeFileSync(
      join(plugin, 'package.json'),
      JSON.stringify({
        name: 'crm-connectors',
        version: '1.0.0',
        main: 'index.js',
        syncbus: { modules: 'index.js' },
      }),
    );
    writeFileSync(join(plugin, 'index.js'), PLUGIN);

    node = await bootConnectorNode({
      databaseUrl: tempSqliteUrl('subclass'),
      plugins: ['@syncbus/connector-webhook', plugin],
      connectors: [
        { name: 'crm-copy', config: { url: `${receiver.url}/copy`, secret: secret.ref, timeoutMs: 1000 } },
        {
          name: 'crm-audited',
          config: { url: `${receiver.url}/audited`, secret: secret.ref, timeoutMs: 1000 },
        },
      ],
    });
    await node.storage.dataSource.getRepository(Article).save({ guid: 's-1', title: 'Subclassed' });
    await until(() => calls.length === 2, 'both subclasses to deliver the task');
    expect(calls.map((url) => url.split('/').pop()).sort()).toEqual(['audited', 'copy']);
    expect(await node.syncLog('crm-copy')).toEqual([]);
    expect(await node.syncLog('crm-audited')).toEqual([]);
  });
});
