// The admin API over real HTTP on SQLite and PostgreSQL: bearer tokens, the read routes (node, servers, staging
// tasks with filters and keyset pages, one task), every bad input named in docs/admin-api.md, and the OpenAPI
// document generated from the routes' schemas.
import { AdminModule } from '@syncbus/admin';
import { SynchronizationInfoProvider } from '@syncbus/staging';
import { Article } from '../support/content-model';
import { describeEachEngine, requireTestDatabase, type TestDatabase } from '../support/postgres';
import { bootStagingNode, createTestSecret, type StagingNode } from '../support/staging-nodes';

const API = '/syncbus/admin/v1';

describeEachEngine(['sqlite', 'postgres'] as const)('the admin API on %s', (kind) => {
  const viewer = createTestSecret();
  const operator = createTestSecret();
  let database: TestDatabase | undefined;
  let node: StagingNode | undefined;

  beforeAll(async () => {
    if (kind === 'postgres') database = await requireTestDatabase('admin_api');
    node = await bootStagingNode({
      name: 'editorial',
      databaseUrl: database?.url,
      modules: [AdminModule],
      servers: [{ name: 'production', url: 'http://127.0.0.1:9', secret: createTestSecret() }],
      config: {
        admin: {
          enabled: true,
          maxPageSize: 20,
          tokens: [
            { name: 'ann', role: 'viewer', token: viewer.ref },
            { name: 'ops', role: 'operator', token: operator.ref },
          ],
        },
      },
    });
    const articles = node.storage.dataSource.getRepository(Article);
    for (let i = 0; i < 30; i++) {
      await articles.save({
        guid: `a-${String(i).padStart(2, '0')}`,
        title: i % 10 === 3 ? `Spring SALE ${i}` : `Article ${i}`,
      });
    }
  });
  afterAll(async () => {
    await node?.stop();
    await database?.drop();
  });

  /** GET as the viewer, as another token, or (`null`) with no Authorization header at all. */
  const get = async (path: string, token: string | null = viewer.value) => {
    const response = await fetch(`${node!.url}${API}${path}`, {
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  it.each([
    ['no token', null],
    ['a wrong token', 'not-a-token'],
    ['an empty bearer', ''],
  ])('answers %s with 401, saying how to authenticate', async (_, token) => {
    const answer = await get('/servers', token);
    expect(answer).toEqual({
      status: 401,
      body: { error: 'UNAUTHORIZED', message: expect.stringContaining('admin.tokens') },
    });
  });

  it('tells who the node is', async () => {
    expect(await get('/node')).toEqual({
      status: 200,
      body: {
        nodeName: 'editorial',
        version: '0.1.0',
        database: kind,
        uptimeSeconds: expect.any(Number),
        // The 30 articles wait for production; the oldest since it was saved.
        lag: [
          {
            kind: 'server',
            name: 'production',
            pending: 30,
            failed: 0,
            oldestPendingAt: expect.any(Number),
            lagSeconds: expect.any(Number),
          },
        ],
      },
    });
  });

  it('lists servers with what waits for each, and names an unknown one in a 404', async () => {
    const listed = await get('/servers', operator.value);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([
      expect.objectContaining({ name: 'production', enabled: true, pending: 30, failed: 0 }),
    ]);
    expect(listed.body[0].oldestPendingAt).toBeLessThanOrEqual(Date.now());
    expect((await get('/servers/production')).body).toEqual(listed.body[0]);
    expect(await get('/servers/nope')).toEqual({
      status: 404,
      body: { error: 'SERVER_NOT_FOUND', message: expect.stringContaining("'nope'") },
    });
  });

  it('pages through every task in logged order by cursor, as the CLI lists them', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; body: any } = await get(
        `/staging/tasks?limit=7${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.body.items.map((t: { taskId: number }) => t.taskId));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(5);
    const cli = await node!.kernel.get(SynchronizationInfoProvider).list();
    expect(seen).toEqual(cli.map((t) => t.taskId));
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('filters by title (ignoring case), task type, object type, status and time', async () => {
    const titles = (await get('/staging/tasks?title=sale')).body.items.map((t: { title: string }) => t.title);
    expect(titles).toEqual(['Spring SALE 3', 'Spring SALE 13', 'Spring SALE 23']);
    expect((await get('/staging/tasks?taskType=create&limit=20')).body.items).toHaveLength(20);
    expect((await get('/staging/tasks?taskType=delete')).body).toEqual({ items: [], nextCursor: null });
    expect((await get('/staging/tasks?objectType=cms.category')).body.items).toEqual([]);
    expect((await get('/staging/tasks?status=failed')).body.items).toEqual([]);
    expect((await get(`/staging/tasks?loggedFrom=${Date.now() + 60_000}`)).body.items).toEqual([]);
    expect((await get('/staging/tasks?server=production&limit=1')).body.nextCursor).not.toBeNull();
  });

  it.each([
    ['an unknown filter key', '/staging/tasks?colour=red', 400, 'FST_ERR_VALIDATION'],
    ['a page over the cap', '/staging/tasks?limit=21', 400, 'PAGE_TOO_LARGE'],
    ['a page size that is not a number', '/staging/tasks?limit=many', 400, 'FST_ERR_VALIDATION'],
    ['a malformed cursor', '/staging/tasks?cursor=bm90LWEtY3Vyc29y', 400, 'INVALID_CURSOR'],
    ['a cursor that is not base64 JSON', '/staging/tasks?cursor=%7B%7D', 400, 'INVALID_CURSOR'],
    ['a status that does not exist', '/staging/tasks?status=done', 400, 'FST_ERR_VALIDATION'],
    ['an unknown server', '/staging/tasks?server=nope', 404, 'SERVER_NOT_FOUND'],
    ['an unknown task', '/staging/tasks/999999', 404, 'TASK_NOT_FOUND'],
    ['a task id that is not a number', '/staging/tasks/abc', 400, 'FST_ERR_VALIDATION'],
  ])('refuses %s, with its status, code and a message', async (_, path, status, error) => {
    const answer = await get(path);
    // A parameter fastify's schema refuses is also named by path (`problems`), as every 400 about fields is.
    const problems =
      error === 'FST_ERR_VALIDATION'
        ? {
            problems: [{ path: expect.stringMatching(/^(querystring|params)/), message: expect.any(String) }],
          }
        : {};
    expect(answer).toEqual({ status, body: { error, message: expect.stringMatching(/\w{8}/), ...problems } });
  });

  it('shows one task with the object as logged and its row per server', async () => {
    const [first] = (await get('/staging/tasks?limit=1')).body.items;
    const detail = await get(`/staging/tasks/${first.taskId}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      taskId: first.taskId,
      taskType: 'create',
      objectType: 'cms.article',
      objectGuid: 'a-00',
      data: expect.objectContaining({ guid: 'a-00', title: 'Article 0' }),
      synchronizations: [expect.objectContaining({ server: 'production', status: 'pending', attempts: 0 })],
    });
  });

  it('publishes an OpenAPI 3 document generated from the route schemas', async () => {
    const { status, body } = await get('/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\./);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        `${API}/node`,
        `${API}/servers`,
        `${API}/servers/{name}`,
        `${API}/staging/tasks`,
        `${API}/staging/tasks/{id}`,
      ]),
    );
    const parameters = body.paths[`${API}/staging/tasks`].get.parameters.map((p: { name: string }) => p.name);
    expect(parameters).toEqual(expect.arrayContaining(['server', 'status', 'title', 'cursor', 'limit']));
    expect(Object.keys(body.components.schemas)).toEqual(
      expect.arrayContaining(['StagingTaskPage', 'Server']),
    );
  });

  const post = async (path: string, body: unknown, token: string = operator.value) => {
    const response = await fetch(`${node!.url}${API}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const rows = async () =>
    (await node!.kernel.get(SynchronizationInfoProvider).list()).map((t) => ({ ...t }));
  const auditRows = async () => (await get('/audit?limit=20')).body as any[];

  it('refuses a viewer acting with 403, changing nothing and auditing nothing', async () => {
    const before = await rows();
    const [first] = before;
    const answer = await post('/staging/tasks/delete', { taskIds: [first.taskId] }, viewer.value);
    expect(answer).toEqual({
      status: 403,
      body: { error: 'FORBIDDEN', message: "Token 'ann' has role viewer; this needs operator." },
    });
    expect(await post('/servers/production/disable', undefined, viewer.value)).toMatchObject({ status: 403 });
    expect(await rows()).toEqual(before);
    expect(await auditRows()).toEqual([]);
  });

  it.each([
    ['no task ids', { taskIds: [] }],
    ['an id that is not a number', { taskIds: ['1'] }],
    ['an unknown key', { taskIds: [1], everything: true }],
    ['too many ids', { taskIds: Array.from({ length: 1001 }, (_, i) => i + 1) }],
  ])('refuses a selection with %s (400), changing nothing', async (_, body) => {
    const before = await rows();
    expect(await post('/staging/tasks/retry', body)).toMatchObject({
      status: 400,
      body: { error: 'FST_ERR_VALIDATION' },
    });
    expect(await rows()).toEqual(before);
  });

  it('retries and deletes chosen tasks, refuses ids that no longer wait, and audits each in its transaction', async () => {
    const before = await rows();
    const [a, b, c] = before;
    // A failed row first, so the retry visibly changes it.
    await node!.storage.dataSource.query(
      `UPDATE staging_synchronization SET status = 'failed', attempts = 5, next_attempt_at = 0 WHERE id = ${a.synchronizationId}`,
    );
    expect(await post('/staging/tasks/retry', { taskIds: [a.taskId, b.taskId] })).toEqual({
      status: 200,
      body: { affected: 2, message: '2 row(s) retried' },
    });
    expect((await rows()).find((r) => r.taskId === a.taskId)).toMatchObject({
      status: 'pending',
      attempts: 0,
    });

    expect(await post('/staging/tasks/delete', { taskIds: [c.taskId], server: 'production' })).toEqual({
      status: 200,
      body: { affected: 1, message: '1 row(s) deleted' },
    });
    expect((await rows()).map((r) => r.taskId)).not.toContain(c.taskId);

    // c is gone now: acting on it again (with b) is refused whole, and b stays as it was.
    const left = await rows();
    const refused = await post('/staging/tasks/delete', { taskIds: [b.taskId, c.taskId] });
    expect(refused).toEqual({
      status: 404,
      body: {
        error: 'TASK_NOT_FOUND',
        message: expect.stringContaining(`Task(s) ${c.taskId} wait for no server`),
      },
    });
    expect(await post('/staging/tasks/retry', { taskIds: [b.taskId], server: 'nope' })).toMatchObject({
      status: 404,
      body: { error: 'SERVER_NOT_FOUND' },
    });
    expect(await rows()).toEqual(left);

    const audit = await auditRows();
    expect(audit.map((e) => [e.actor, e.action, e.outcome, e.target, e.detail])).toEqual([
      [
        'ops',
        'staging.tasks.retry',
        'SERVER_NOT_FOUND',
        { taskIds: [b.taskId], server: 'nope' },
        expect.any(String),
      ],
      [
        'ops',
        'staging.tasks.delete',
        'TASK_NOT_FOUND',
        { taskIds: [b.taskId, c.taskId] },
        expect.any(String),
      ],
      [
        'ops',
        'staging.tasks.delete',
        'ok',
        { taskIds: [c.taskId], server: 'production' },
        '1 row(s) deleted',
      ],
      ['ops', 'staging.tasks.retry', 'ok', { taskIds: [a.taskId, b.taskId] }, '2 row(s) retried'],
    ]);
    expect(audit[0].at).toBeGreaterThanOrEqual(audit[3].at);
    // Paging back through the trail by id.
    const older = (await get(`/audit?limit=2&before=${audit[1].id}`)).body as any[];
    expect(older.map((e) => e.id)).toEqual([audit[2].id, audit[3].id]);
  });

  it('retries and deletes every task a filter matches, says when it matches nothing, and audits the filter', async () => {
    const before = await rows();
    const failing = before.filter((r) => ['a-05', 'a-06'].includes(r.objectGuid));
    for (const row of failing) {
      await node!.storage.dataSource.query(
        `UPDATE staging_synchronization SET status = 'failed', attempts = 5 WHERE id = ${row.synchronizationId}`,
      );
    }
    expect(await post('/staging/tasks/retry', { filter: { status: 'failed' } })).toEqual({
      status: 200,
      body: { affected: 2, message: '2 row(s) retried' },
    });
    expect((await rows()).filter((r) => r.status === 'failed')).toEqual([]);

    const sale = (await rows()).filter((r) => /sale/i.test(r.title));
    expect(sale.length).toBeGreaterThan(0);
    expect(await post('/staging/tasks/delete', { filter: { title: 'sale', server: 'production' } })).toEqual({
      status: 200,
      body: { affected: sale.length, message: `${sale.length} row(s) deleted` },
    });
    expect((await get('/staging/tasks?title=sale')).body.items).toEqual([]);

    const left = await rows();
    expect(await post('/staging/tasks/delete', { filter: { title: 'no such title' } })).toEqual({
      status: 200,
      body: { affected: 0, message: 'no task matched the filter; nothing was changed' },
    });
    expect(await post('/staging/tasks/retry', { taskIds: [left[0].taskId], filter: {} })).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('either taskIds') },
    });
    expect(await post('/staging/tasks/retry', { filter: { colour: 'red' } })).toMatchObject({ status: 400 });
    expect(await post('/staging/tasks/retry', { filter: { server: 'nope' } })).toMatchObject({
      status: 404,
      body: { error: 'SERVER_NOT_FOUND' },
    });
    expect(await rows()).toEqual(left);

    const audit = (await auditRows()).slice(0, 4);
    expect(audit.map((e) => [e.action, e.outcome, e.target, e.detail])).toEqual([
      ['staging.tasks.retry', 'SERVER_NOT_FOUND', { filter: { server: 'nope' } }, expect.any(String)],
      ['staging.tasks.delete', 'ok', { filter: { title: 'no such title' } }, 'nothing matched'],
      [
        'staging.tasks.delete',
        'ok',
        { filter: { title: 'sale', server: 'production' } },
        `${sale.length} row(s) deleted`,
      ],
      ['staging.tasks.retry', 'ok', { filter: { status: 'failed' } }, '2 row(s) retried'],
    ]);
  });

  it('changes nothing when its audit row cannot be written (one transaction)', async () => {
    const before = await rows();
    await node!.storage.dataSource.query('ALTER TABLE admin_audit RENAME TO admin_audit_away');
    try {
      const answer = await post('/staging/tasks/delete', { taskIds: [before[0].taskId] });
      expect(answer.status).toBe(500);
      expect(await rows()).toEqual(before);
    } finally {
      await node!.storage.dataSource.query('ALTER TABLE admin_audit_away RENAME TO admin_audit');
    }
  });

  it('disables and enables a server, audited, and names an unknown one', async () => {
    expect(await post('/servers/production/disable', undefined)).toMatchObject({
      status: 200,
      body: { name: 'production', enabled: false },
    });
    expect((await get('/servers/production')).body.enabled).toBe(false);
    expect(await post('/servers/production/enable', undefined)).toMatchObject({
      status: 200,
      body: { enabled: true },
    });
    expect(await post('/servers/nope/disable', undefined)).toMatchObject({
      status: 404,
      body: { error: 'SERVER_NOT_FOUND' },
    });
    const audit = (await auditRows()).slice(0, 3);
    expect(audit.map((e) => [e.action, e.outcome, e.target])).toEqual([
      ['servers.disable', 'SERVER_NOT_FOUND', { server: 'nope' }],
      ['servers.enable', 'ok', { server: 'production' }],
      ['servers.disable', 'ok', { server: 'production' }],
    ]);
  });

  it('pauses a server (tasks are still logged, a synchronize job is refused) and resumes it, audited', async () => {
    expect(await post('/servers/production/pause', undefined)).toMatchObject({
      status: 200,
      body: { name: 'production', enabled: true, paused: true },
    });
    const before = (await get('/servers/production')).body.pending;
    await node!.storage.dataSource
      .getRepository(Article)
      .save({ guid: 'while-paused', title: 'While paused' });
    expect((await get('/servers/production')).body).toMatchObject({ paused: true, pending: before + 1 });
    expect(await post('/staging/tasks/synchronize', { server: 'production' })).toMatchObject({
      status: 409,
      body: { error: 'SERVER_PAUSED', message: expect.stringContaining('resume') },
    });
    expect(await post('/servers/production/resume', undefined)).toMatchObject({
      status: 200,
      body: { paused: false },
    });
    const audit = (await auditRows()).slice(0, 3);
    expect(audit.map((e) => [e.action, e.outcome])).toEqual([
      ['servers.resume', 'ok'],
      ['staging.tasks.synchronize', 'SERVER_PAUSED'],
      ['servers.pause', 'ok'],
    ]);
    await post('/staging/tasks/delete', {
      taskIds: [(await get('/staging/tasks?title=While paused')).body.items[0].taskId],
    });
  });

  it('adds, edits and removes a server, audited, refusing a duplicate, a plain secret and an unknown name', async () => {
    const send = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${node!.url}${API}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${operator.value}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    const qa = { name: 'qa', url: 'http://127.0.0.1:10/', secret: 'env:SYNCBUS_QA_SECRET' };
    expect(await send('POST', '/servers', qa)).toMatchObject({
      status: 201,
      body: { name: 'qa', displayName: 'qa', enabled: true, pending: 0 },
    });
    expect(await send('POST', '/servers', qa)).toMatchObject({
      status: 409,
      body: { error: 'DUPLICATE_SERVER' },
    });
    const plain = await send('POST', '/servers', { ...qa, name: 'qa2', secret: 'hunter2' });
    expect(plain).toMatchObject({ status: 400, body: { error: 'FST_ERR_VALIDATION' } });
    expect(plain.body.message).toMatch(/secret/);
    expect(JSON.stringify(plain.body)).not.toContain('hunter2');
    expect(
      await send('PATCH', '/servers/qa', { url: 'http://127.0.0.1:11/', displayName: 'QA' }),
    ).toMatchObject({
      status: 200,
      body: { url: 'http://127.0.0.1:11/', displayName: 'QA' },
    });
    expect(await send('PATCH', '/servers/qa', { name: 'renamed' })).toMatchObject({ status: 400 });
    expect(await send('PATCH', '/servers/nope', { url: 'http://127.0.0.1:12/' })).toMatchObject({
      status: 404,
    });
    expect(await send('DELETE', '/servers/qa')).toEqual({
      status: 200,
      body: { affected: 0, message: "server 'qa' removed with 0 waiting row(s)" },
    });
    expect((await get('/servers')).body.map((s: { name: string }) => s.name)).toEqual(['production']);
    const audit = (await auditRows()).slice(0, 5);
    expect(audit.map((e) => [e.action, e.outcome, e.target])).toEqual([
      ['servers.remove', 'ok', { server: 'qa' }],
      ['servers.edit', 'SERVER_NOT_FOUND', { server: 'nope' }],
      ['servers.edit', 'ok', { server: 'qa' }],
      ['servers.add', 'DUPLICATE_SERVER', { server: 'qa' }],
      ['servers.add', 'ok', { server: 'qa' }],
    ]);
  });
});

it('is not served unless admin.enabled', async () => {
  const node = await bootStagingNode({ name: 'quiet', modules: [AdminModule] });
  try {
    const response = await fetch(`${node.url}${API}/node`);
    expect(response.status).toBe(404);
  } finally {
    await node.stop();
  }
});

it('refuses admin.enabled without tokens, saying what to add', async () => {
  await expect(
    bootStagingNode({ name: 'open', modules: [AdminModule], config: { admin: { enabled: true } } }),
  ).rejects.toThrow(/admin\.tokens.*at least one token/s);
});
