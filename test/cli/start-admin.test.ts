// `syncbus start` serves the admin API when the config enables it, behind the tokens it names.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode, type StartedNode } from '../support/run-cli';

describe('syncbus start with admin.enabled', () => {
  let node: StartedNode | undefined;
  afterAll(() => node?.child.kill('SIGKILL'));

  it('answers the admin API for a configured token and 401 for anyone else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncbus-start-admin-'));
    const config = join(dir, 'syncbus.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        nodeName: 'production',
        database: { url: 'sqlite:node.sqlite' },
        http: { port: 0 },
        admin: {
          enabled: true,
          tokens: [{ name: 'ops', role: 'operator', token: 'env:SYNCBUS_TEST_ADMIN_TOKEN' }],
        },
      }),
    );
    node = await startNode(config, { SYNCBUS_TEST_ADMIN_TOKEN: 'start-admin-token-0123456789' });
    const nodeInfo = await fetch(`${node.url}/syncbus/admin/v1/node`, {
      headers: { authorization: 'Bearer start-admin-token-0123456789' },
    });
    expect(nodeInfo.status).toBe(200);
    expect(await nodeInfo.json()).toMatchObject({ nodeName: 'production', database: 'sqlite' });
    expect((await fetch(`${node.url}/syncbus/admin/v1/node`)).status).toBe(401);
  });
});
