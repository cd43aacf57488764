// The integration routes of the admin API over real HTTP on SQLite and PostgreSQL: connectors with their queues
// and state, enable / disable and check, each connector's queue with filters, keyset pages, retry and delete, the
// sync log, every queue's lag on /node, and the audit rows the actions leave. A staging-only node serves none of it.
import { AdminModule } from '@syncbus/admin';
import { IntegrationModule } from '@syncbus/integration';
import { resetScripts, scriptOf } from '@syncbus-fixtures/scripted-connector';
import { FAST_INTEGRATION } from '../connectors/connector-node';
import { Article } from '../support/content-model';
import { describeEachEngine, requireTestDatabase, type TestDatabase } from '../support/postgres';
import { bootStagingNode, createTestSecret, eventually, type StagingNode } from '../support/staging-nodes';

const API = '/syncbus/admin/v1';

describeEachEngine(['sqlite', 'postgres'] as const)('the integration admin routes on %s', (kind) => {
  const viewer = createTestSecret();
  const operator = createTestSecret();
  let database: TestDatabase | undefined;
  let node: StagingNode | undefined;

  beforeAll(async () => {
    if (kind === 'postgres') database = await requireTestDatabase('admin_integration');
    resetScripts();
    node = await bootStagingNode({
      name: 'editorial',
      databaseUrl: database?.url,
      modules: [AdminModule, IntegrationModule],
      config: {
        plugins: ['@syncbus-fixtures/scripted-connector'],
        // One attempt: an Error answer fails the row at once, for a person to retry.
        integration: { ...FAST_INTEGRATION, retry: { maxAttempts: 1, baseDelayMs: 40, maxDelayMs: 200 } },
        connectors: [{ name: 'alpha', config: { endpoint: 'http://127.0.0.1:9/crm' } }],
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
  });
  afterAll(async () => {
    await node?.stop();
    await database?.drop();
  });

  const call = async (method: string, path: string, body?: unknown, token: string = operator.value) => {
    const response = await fetch(`${node!.url}${API}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const get = (path: string, token = viewer.value) => call('GET', path, undefined, token);
  const post = (path: string, body?: unknown, token?: string) => call('POST', path, body ?? {}, token);
  const queue = async (query = '') =>
    (await get(`/integration/tasks?connector=alpha${query}`)).body.items as any[];
  const lastAudit = async () => (await get('/audit?limit=1')).body[0];
  const save = (guid: string, title: string) =>
    node!.storage.dataSource.getRepository(Article).save({ guid, title });

  it('lists every connector with its state and queues, and names one that is not loaded', async () => {
    const { status, body } = await get('/integration/connectors');
    expect(status).toBe(200);
    const empty = { pending: 0, failed: 0, oldestPendingAt: null };
    expect(body).toEqual([
      {
        name: 'alpha',
        displayName: expect.any(String),
        package: '@syncbus-fixtures/scripted-connector',
        version: expect.any(String),
        enabled: true,
        pausedByOperator: false,
        paused: null,
        outgoing: empty,
        incoming: empty,
      },
      expect.objectContaining({
        name: 'beta',
        enabled: false,
        paused: { reason: expect.stringContaining('not listed in "connectors"'), until: null },
      }),
    ]);
    expect((await get('/integration/connectors/alpha')).body).toEqual(body[0]);
    expect(await get('/integration/connectors/nope')).toEqual({
      status: 404,
      body: { error: 'CONNECTOR_NOT_FOUND', message: expect.stringContaining('loaded: alpha, beta') },
    });
  });

  it('runs a check and says what failed', async () => {
    expect(await post('/integration/connectors/alpha/check', undefined, viewer.value)).toEqual({
      status: 200,
      body: { ok: true, message: 'ok' },
    });
    scriptOf('alpha').checkFailures = 1;
    scriptOf('alpha').checkError = 'CRM answers 503';
    expect((await post('/integration/connectors/alpha/check')).body).toEqual({
      ok: false,
      message: 'CRM answers 503',
    });
    expect((await post('/integration/connectors/alpha/check')).body.ok).toBe(true);
  });

  it('shows a failed task with its error and the sync log, and retries it once the cause is fixed', async () => {
    scriptOf('alpha').steps['bad-1'] = ['Error', 'OK'];
    await save('bad-1', 'Broken article');
    const failed = await eventually(async () => {
      const rows = await queue('&status=failed');
      return rows.length === 1 ? rows[0] : undefined;
    }, 'the task to fail for alpha');
    expect(failed).toEqual({
      taskId: expect.any(Number),
      synchronizationId: expect.any(Number),
      connector: 'alpha',
      direction: 'outgoing',
      taskType: 'create',
      objectType: 'cms.article',
      objectGuid: 'bad-1',
      title: 'Broken article',
      createdAt: expect.any(Number),
      status: 'failed',
      attempts: 1,
      nextAttemptAt: expect.any(Number),
      lastError: expect.any(String),
    });
    const [entry] = (await get('/integration/sync-log?connector=alpha&limit=1')).body;
    expect(entry).toMatchObject({
      connector: 'alpha',
      taskId: failed.taskId,
      inbound: false,
      objectGuid: 'bad-1',
    });
    expect((await get('/integration/connectors/alpha')).body.outgoing).toMatchObject({ failed: 1 });

    const retried = await post('/integration/tasks/retry', {
      connector: 'alpha',
      synchronizationIds: [failed.synchronizationId],
    });
    expect(retried).toEqual({ status: 200, body: { affected: 1, message: '1 row(s) retried' } });
    expect(await lastAudit()).toMatchObject({
      actor: 'ops',
      action: 'integration.tasks.retry',
      target: { connector: 'alpha', direction: 'outgoing', synchronizationIds: [failed.synchronizationId] },
      outcome: 'ok',
      detail: '1 row(s) retried',
    });
    await eventually(async () => (await queue()).length === 0, 'the retried task to be processed');
    // The sync log keeps the error after the success.
    expect((await get('/integration/sync-log?connector=alpha')).body.map((e: any) => e.id)).toContain(
      entry.id,
    );
    // The row is gone: retrying it again is refused, naming it, and recorded as refused.
    expect(
      await post('/integration/tasks/retry', {
        connector: 'alpha',
        synchronizationIds: [failed.synchronizationId],
      }),
    ).toEqual({
      status: 404,
      body: { error: 'TASK_NOT_FOUND', message: expect.stringContaining(String(failed.synchronizationId)) },
    });
    expect(await lastAudit()).toMatchObject({ action: 'integration.tasks.retry', outcome: 'TASK_NOT_FOUND' });
  });

  it('disables a connector (its tasks wait), pages its queue by keyset, deletes by filter, and enables it', async () => {
    const disabled = await post('/integration/connectors/alpha/disable');
    expect(disabled.status).toBe(200);
    expect(disabled.body.enabled).toBe(false);
    expect(await lastAudit()).toMatchObject({ actor: 'ops', action: 'connectors.disable', outcome: 'ok' });
    // Changed while it is disabled: nothing is queued for it (Kentico logs no tasks for a disabled connector).
    await save('while-off', 'Changed while alpha was off');
    expect(await queue()).toEqual([]);

    await post('/integration/connectors/alpha/enable');
    scriptOf('alpha').defaultStep = 'SkipNow'; // every task waits, so the queue holds still for paging
    for (let i = 0; i < 5; i++) await save(`wait-${i}`, i === 2 ? 'Special offer' : `Waiting ${i}`);
    await eventually(async () => (await queue()).length === 5, 'five tasks waiting for alpha');

    const first = (await get('/integration/tasks?connector=alpha&limit=2')).body;
    expect(first.items.map((r: any) => r.objectGuid)).toEqual(['wait-0', 'wait-1']);
    const second = (await get(`/integration/tasks?connector=alpha&limit=2&cursor=${first.nextCursor}`)).body;
    expect(second.items.map((r: any) => r.objectGuid)).toEqual(['wait-2', 'wait-3']);
    const last = (await get(`/integration/tasks?connector=alpha&limit=2&cursor=${second.nextCursor}`)).body;
    expect(last).toEqual({ items: [expect.objectContaining({ objectGuid: 'wait-4' })], nextCursor: null });
    expect((await queue('&title=special')).map((r) => r.objectGuid)).toEqual(['wait-2']);

    const lag = (await get('/node')).body.lag;
    expect(lag).toContainEqual({
      kind: 'connector',
      name: 'alpha',
      direction: 'outgoing',
      pending: 5,
      failed: 0,
      oldestPendingAt: expect.any(Number),
      lagSeconds: expect.any(Number),
    });
    expect(lag).toContainEqual(
      expect.objectContaining({ kind: 'connector', name: 'alpha', direction: 'incoming' }),
    );

    expect(
      await post('/integration/tasks/delete', { connector: 'alpha', filter: { title: 'special' } }),
    ).toEqual({
      status: 200,
      body: { affected: 1, message: '1 row(s) deleted' },
    });
    expect((await queue()).map((r) => r.objectGuid)).toEqual(['wait-0', 'wait-1', 'wait-3', 'wait-4']);
    expect(
      await post('/integration/tasks/delete', { connector: 'alpha', filter: { title: 'nothing like it' } }),
    ).toEqual({
      status: 200,
      body: { affected: 0, message: 'no row matched the filter; nothing was changed' },
    });
    expect(await post('/integration/tasks/delete', { connector: 'alpha', filter: {} })).toEqual({
      status: 200,
      body: { affected: 4, message: '4 row(s) deleted' },
    });
    expect(await queue()).toEqual([]);
    scriptOf('alpha').defaultStep = 'OK';
  });

  it('pauses a connector (its tasks are logged and wait, saying why) and resumes it (they are processed)', async () => {
    const paused = await post('/integration/connectors/alpha/pause');
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({
      enabled: true,
      pausedByOperator: true,
      paused: { reason: expect.stringContaining('paused by an operator'), until: null },
    });
    expect(await lastAudit()).toMatchObject({ actor: 'ops', action: 'connectors.pause', outcome: 'ok' });
    await save('paused-1', 'Logged while paused');
    const held = await eventually(async () => {
      const rows = await queue();
      return rows[0]?.lastError ? rows : undefined;
    }, 'the task to be held by the pause');
    expect(held).toEqual([
      expect.objectContaining({
        objectGuid: 'paused-1',
        status: 'pending',
        attempts: 0,
        lastError: "connector 'alpha' is paused; its tasks wait until it is resumed",
      }),
    ]);
    const resumed = await post('/integration/connectors/alpha/resume');
    expect(resumed.body).toMatchObject({ pausedByOperator: false, paused: null });
    await eventually(async () => (await queue()).length === 0, 'the held task to be processed once resumed');
    expect(scriptOf('alpha').received.map((t) => t.objectGuid)).toContain('paused-1');
  });

  it('refuses bad input and a viewer acting, changing nothing', async () => {
    const refusals: [string, Promise<{ status: number; body: any }>, number, string][] = [
      ['unknown connector in the list', get('/integration/tasks?connector=nope'), 404, 'CONNECTOR_NOT_FOUND'],
      ['no connector', get('/integration/tasks'), 400, 'FST_ERR_VALIDATION'],
      ['unknown query key', get('/integration/tasks?connector=alpha&colour=red'), 400, 'FST_ERR_VALIDATION'],
      [
        'bad direction',
        get('/integration/tasks?connector=alpha&direction=sideways'),
        400,
        'FST_ERR_VALIDATION',
      ],
      ['page too large', get('/integration/tasks?connector=alpha&limit=21'), 400, 'PAGE_TOO_LARGE'],
      ['bad cursor', get('/integration/tasks?connector=alpha&cursor=xyz'), 400, 'INVALID_CURSOR'],
      ['sync log page too large', get('/integration/sync-log?limit=21'), 400, 'PAGE_TOO_LARGE'],
      [
        'sync log of an unknown connector',
        get('/integration/sync-log?connector=nope'),
        404,
        'CONNECTOR_NOT_FOUND',
      ],
      [
        'ids and filter',
        post('/integration/tasks/retry', { connector: 'alpha', synchronizationIds: [1], filter: {} }),
        400,
        'FST_ERR_VALIDATION',
      ],
      [
        'neither ids nor filter',
        post('/integration/tasks/delete', { connector: 'alpha' }),
        400,
        'FST_ERR_VALIDATION',
      ],
      [
        'unknown filter key',
        post('/integration/tasks/delete', { connector: 'alpha', filter: { server: 'x' } }),
        400,
        'FST_ERR_VALIDATION',
      ],
      [
        'action on an unknown connector',
        post('/integration/tasks/retry', { connector: 'nope', filter: {} }),
        404,
        'CONNECTOR_NOT_FOUND',
      ],
      [
        'enable an unknown connector',
        post('/integration/connectors/nope/enable'),
        404,
        'CONNECTOR_NOT_FOUND',
      ],
      [
        'enable a connector the config does not list',
        post('/integration/connectors/beta/enable'),
        409,
        'CONNECTOR_NOT_LISTED',
      ],
      [
        'a viewer disabling',
        post('/integration/connectors/alpha/disable', undefined, viewer.value),
        403,
        'FORBIDDEN',
      ],
      [
        'a viewer deleting',
        post('/integration/tasks/delete', { connector: 'alpha', filter: {} }, viewer.value),
        403,
        'FORBIDDEN',
      ],
      ['no token', call('GET', '/integration/connectors', undefined, 'wrong'), 401, 'UNAUTHORIZED'],
    ];
    for (const [what, answer, status, code] of refusals) {
      const { status: got, body } = await answer;
      expect({ what, status: got, error: body.error }).toEqual({ what, status, error: code });
      expect(body.message).toEqual(expect.any(String));
    }
    expect((await get('/integration/connectors/alpha')).body.enabled).toBe(true);
  });

  it('documents the integration routes in the OpenAPI document', async () => {
    const paths = Object.keys((await get('/openapi.json')).body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        `${API}/integration/connectors`,
        `${API}/integration/connectors/{name}`,
        `${API}/integration/connectors/{name}/check`,
        `${API}/integration/connectors/{name}/enable`,
        `${API}/integration/connectors/{name}/disable`,
        `${API}/integration/connectors/{name}/pause`,
        `${API}/integration/connectors/{name}/resume`,
        `${API}/integration/tasks`,
        `${API}/integration/tasks/retry`,
        `${API}/integration/tasks/delete`,
        `${API}/integration/sync-log`,
      ]),
    );
  });
});

describe('a staging-only node with the admin API', () => {
  const token = createTestSecret();
  let node: StagingNode | undefined;
  afterAll(() => node?.stop());

  it('serves no integration routes and reports only its servers on /node', async () => {
    node = await bootStagingNode({
      name: 'plain',
      modules: [AdminModule],
      servers: [{ name: 'production', url: 'http://127.0.0.1:9', secret: createTestSecret() }],
      config: { admin: { enabled: true, tokens: [{ name: 'ops', role: 'operator', token: token.ref }] } },
    });
    const headers = { authorization: `Bearer ${token.value}` };
    expect((await fetch(`${node.url}${API}/integration/connectors`, { headers })).status).toBe(404);
    const info = (await (await fetch(`${node.url}${API}/node`, { headers })).json()) as any;
    expect(info.lag).toEqual([
      { kind: 'server', name: 'production', pending: 0, failed: 0, oldestPendingAt: null, lagSeconds: 0 },
    ]);
  });
});
