// What the admin API adds for the dashboard: who a token is (GET /session), an object's tasks (the objectGuid
// filter) with their origin chain, and the page itself at /syncbus/admin/ only while the admin API is enabled.
import { AdminModule } from '@syncbus/admin';
import { Article } from '../support/content-model';
import { bootStagingNode, createTestSecret, type StagingNode } from '../support/staging-nodes';

const API = '/syncbus/admin/v1';

describe('admin API support for the dashboard', () => {
  const viewer = createTestSecret();
  const operator = createTestSecret();
  let node: StagingNode;
  let off: StagingNode;

  beforeAll(async () => {
    const servers = [{ name: 'production', url: 'http://127.0.0.1:9', secret: createTestSecret() }];
    [node, off] = await Promise.all([
      bootStagingNode({
        name: 'editorial',
        modules: [AdminModule],
        servers,
        config: {
          admin: {
            enabled: true,
            tokens: [
              { name: 'ann', role: 'viewer', token: viewer.ref },
              { name: 'ops', role: 'operator', token: operator.ref },
            ],
          },
        },
      }),
      bootStagingNode({ name: 'quiet', modules: [AdminModule], servers }),
    ]);
    const articles = node.storage.dataSource.getRepository(Article);
    await articles.save({ guid: 'one', title: 'One' });
    await articles.save({ guid: 'two', title: 'Two' });
    await articles.save({ ...(await articles.findOneByOrFail({ guid: 'one' })), title: 'One again' });
  });
  afterAll(async () => Promise.all([node?.stop(), off?.stop()]));

  const get = async (path: string, token = viewer.value) => {
    const response = await fetch(`${node.url}${API}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  it('tells a token its name and role, and no one without a token', async () => {
    expect(await get('/session')).toEqual({ status: 200, body: { name: 'ann', role: 'viewer' } });
    expect(await get('/session', operator.value)).toEqual({
      status: 200,
      body: { name: 'ops', role: 'operator' },
    });
    expect((await get('/session', 'nope')).status).toBe(401);
  });

  it("lists one object's tasks by objectGuid, and shows a task's origin chain", async () => {
    const one = await get('/staging/tasks?objectGuid=one');
    expect(one.body.items.map((t: { title: string }) => t.title)).toEqual(['One', 'One again']);
    const detail = await get(`/staging/tasks/${one.body.items[1].taskId}`);
    expect(detail.body.origin).toEqual([]);
    await node.storage.dataSource.query(
      `UPDATE staging_task SET origin = '["authoring"]' WHERE id = ${one.body.items[1].taskId}`,
    );
    expect((await get(`/staging/tasks/${one.body.items[1].taskId}`)).body.origin).toEqual(['authoring']);
  });

  it('serves the dashboard only while the admin API is enabled', async () => {
    expect((await fetch(`${node.url}/syncbus/admin/`)).status).toBe(200);
    expect((await fetch(`${off.url}/syncbus/admin/`)).status).toBe(404);
  });
});
