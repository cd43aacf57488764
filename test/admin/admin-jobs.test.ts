// Synchronize as a background job over the admin API, on SQLite and PostgreSQL sources: a backlog of a few
// thousand tasks delivered to a real target with progress read through GET /jobs/:id, a job cancelled between
// batches (a proxy holds one batch on the wire), and the refusals. Judged by the target's content and the queue.
import { AdminModule } from '@syncbus/admin';
import { SynchronizationInfoProvider } from '@syncbus/staging';
import { startGatedProxy, type GatedProxy } from '../autosync/gated-proxy';
import { Article } from '../support/content-model';
import { describeEachEngine, requireTestDatabase, type TestDatabase } from '../support/postgres';
import { bootStagingNode, createTestSecret, eventually, type StagingNode } from '../support/staging-nodes';

const API = '/syncbus/admin/v1';

describeEachEngine(['sqlite', 'postgres'] as const)('admin jobs with a %s source', (kind) => {
  const operator = createTestSecret();
  const viewer = createTestSecret();
  let database: TestDatabase | undefined;
  let target: StagingNode | undefined;
  let source: StagingNode | undefined;
  let proxy: GatedProxy | undefined;

  beforeAll(async () => {
    if (kind === 'postgres') database = await requireTestDatabase('admin_jobs');
    const secret = createTestSecret();
    target = await bootStagingNode({ name: 'production', acceptFrom: [{ server: 'editorial', secret }] });
    proxy = await startGatedProxy(target.url!);
    source = await bootStagingNode({
      name: 'editorial',
      databaseUrl: database?.url,
      modules: [AdminModule],
      // One batch on the wire at a time, so a cancel lands between two batches.
      staging: { batchSize: 100, maxInFlight: 1 },
      servers: [
        { name: 'production', url: proxy.url, secret },
        { name: 'qa', url: 'http://127.0.0.1:9', secret, enabled: false },
      ],
      config: {
        admin: {
          enabled: true,
          tokens: [
            { name: 'ops', role: 'operator', token: operator.ref },
            { name: 'ann', role: 'viewer', token: viewer.ref },
          ],
        },
      },
    });
  });
  afterAll(async () => {
    await source?.stop();
    await proxy?.close();
    await target?.stop();
    await database?.drop();
  });

  const call = async (method: string, path: string, body?: unknown, token = operator.value) => {
    const response = await fetch(`${source!.url}${API}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const seed = async (count: number, prefix: string) => {
    const articles = source!.storage.dataSource.getRepository(Article);
    for (let i = 0; i < count; i += 500) {
      const chunk = Array.from({ length: Math.min(500, count - i) }, (_, j) => ({
        guid: `${prefix}-${i + j}`,
        title: `${prefix} ${i + j}`,
      }));
      await articles.insert(chunk);
    }
  };
  const pending = async () =>
    (await source!.kernel.get(SynchronizationInfoProvider).count('production')).pending;
  const onTarget = () => target!.storage.dataSource.getRepository(Article).count();

  it('synchronizes a few thousand tasks in the background, with progress through the job route', async () => {
    await seed(3000, 'bulk');
    const started = await call('POST', '/staging/tasks/synchronize', { server: 'production' });
    expect(started).toMatchObject({
      status: 202,
      body: { kind: 'staging.synchronize', actor: 'ops', status: 'running', total: 3000, done: 0 },
    });
    const seen = new Set<number>();
    const job = await eventually(
      async () => {
        const { body } = await call('GET', `/jobs/${started.body.id}`, undefined, viewer.value);
        seen.add(body.done);
        return body.status === 'running' ? undefined : body;
      },
      'the job to finish',
      60_000,
    );
    expect(job).toMatchObject({ status: 'succeeded', total: 3000, done: 3000, failed: 0, error: null });
    expect(job.finishedAt).toBeGreaterThanOrEqual(job.startedAt);
    // Progress moved in steps while it ran, not only from 0 to the end.
    expect([...seen].filter((d) => d > 0 && d < 3000).length).toBeGreaterThan(0);
    expect(await onTarget()).toBe(3000);
    expect(await pending()).toBe(0);
  }, 90_000);

  it('cancels a job between batches: the batch on the wire completes, the rest stays pending', async () => {
    await seed(300, 'cancel');
    const before = await onTarget();
    proxy!.hold(proxy!.requests + 1);
    const started = await call('POST', '/staging/tasks/synchronize', { server: 'production' });
    await eventually(() => proxy!.held === 1, 'the first batch to be held');
    const cancelling = call('DELETE', `/jobs/${started.body.id}`);
    proxy!.release();
    const cancelled = await cancelling;
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled', total: 300, done: 100 } });
    expect(await onTarget()).toBe(before + 100);
    expect(await pending()).toBe(200);
    expect((await call('GET', `/jobs/${started.body.id}`)).body.status).toBe('cancelled');
  });

  it('runs a complete synchronization as a job: every object logged again, then everything delivered', async () => {
    const objects = await source!.storage.dataSource.getRepository(Article).count();
    const started = await call('POST', '/servers/production/synchronize-all', {
      objectTypes: ['cms.article'],
    });
    expect(started).toMatchObject({ status: 202, body: { kind: 'staging.completeSynchronization' } });
    const job = await eventually(
      async () => {
        const { body } = await call('GET', `/jobs/${started.body.id}`);
        return body.status === 'running' ? undefined : body;
      },
      'the complete synchronization to finish',
      60_000,
    );
    // What the cancelled job left (200 creates) and an update of every article.
    expect(job).toMatchObject({ status: 'succeeded', failed: 0 });
    expect(job.total).toBe(job.done);
    expect(job.total).toBeGreaterThanOrEqual(objects);
    expect(await pending()).toBe(0);
    expect(await onTarget()).toBe(objects);
    expect(
      await call('POST', '/servers/production/synchronize-all', { objectTypes: ['cms.page'] }),
    ).toMatchObject({ status: 400, body: { error: 'UNKNOWN_OBJECT_TYPE' } });
    expect(await call('POST', '/servers/qa/synchronize-all', {})).toMatchObject({
      status: 409,
      body: { error: 'SERVER_DISABLED' },
    });
    expect(await pending()).toBe(0);
  }, 90_000);

  it.each([
    ['an unknown server', 'POST', '/staging/tasks/synchronize', { server: 'nope' }, 404, 'SERVER_NOT_FOUND'],
    ['a disabled server', 'POST', '/staging/tasks/synchronize', { server: 'qa' }, 409, 'SERVER_DISABLED'],
    ['no server', 'POST', '/staging/tasks/synchronize', {}, 400, 'FST_ERR_VALIDATION'],
    ['an unknown job', 'GET', '/jobs/00000000-0000-4000-8000-000000000000', undefined, 404, 'JOB_NOT_FOUND'],
    ['a job id that is not a UUID', 'GET', '/jobs/42', undefined, 400, 'FST_ERR_VALIDATION'],
    [
      'cancelling an unknown job',
      'DELETE',
      '/jobs/00000000-0000-4000-8000-000000000000',
      undefined,
      404,
      'JOB_NOT_FOUND',
    ],
  ])('refuses %s', async (_, method, path, body, status, error) => {
    const before = await pending();
    expect(await call(method, path, body)).toMatchObject({ status, body: { error } });
    expect(await pending()).toBe(before);
  });

  it('refuses a viewer starting or cancelling a job', async () => {
    expect(
      await call('POST', '/staging/tasks/synchronize', { server: 'production' }, viewer.value),
    ).toMatchObject({
      status: 403,
    });
    expect(
      await call('DELETE', '/jobs/00000000-0000-4000-8000-000000000000', undefined, viewer.value),
    ).toMatchObject({ status: 403 });
  });

  it('audits starting and cancelling jobs', async () => {
    const audit = (await call('GET', '/audit?limit=50')).body as { action: string; outcome: string }[];
    const actions = audit.map((e) => `${e.action} ${e.outcome}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'staging.tasks.synchronize ok',
        'jobs.cancel ok',
        'staging.tasks.synchronize SERVER_DISABLED',
        'staging.tasks.synchronize SERVER_NOT_FOUND',
      ]),
    );
  });
});
