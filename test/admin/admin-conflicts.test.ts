// The conflicts of the admin API over real HTTP, on a target (SQLite and PostgreSQL) that holds conflicts: the
// list with its filters and keyset pages, one conflict field by field, resolving each way (the object on the
// target changes, the source's held task is answered duplicate), the refusals, roles and the audit trail.
import { AdminEventStream, AdminModule } from '@syncbus/admin';
import {
  ServerInfoProvider,
  StagingConflict,
  StagingConflicts,
  StagingTaskRunnerFactory,
} from '@syncbus/staging';
import { Article } from '../support/content-model';
import { describeEachEngine, requireTestDatabase, type TestDatabase } from '../support/postgres';
import { bootStagingNode, createTestSecret, type StagingNode } from '../support/staging-nodes';
import { until } from '../support/until';

const API = '/syncbus/admin/v1';

describeEachEngine(['sqlite', 'postgres'] as const)('admin conflicts on a %s target', (kind) => {
  const operator = createTestSecret();
  const viewer = createTestSecret();
  let database: TestDatabase | undefined;
  let target: StagingNode | undefined;
  let source: StagingNode | undefined;

  beforeAll(async () => {
    if (kind === 'postgres') database = await requireTestDatabase('admin_conflicts');
    const secret = createTestSecret();
    target = await bootStagingNode({
      name: 'production',
      databaseUrl: database?.url,
      acceptFrom: [{ server: 'editorial', secret }],
      staging: { receiver: { conflicts: { policy: 'hold' } } },
      modules: [AdminModule],
      config: {
        admin: {
          enabled: true,
          maxPageSize: 20,
          tokens: [
            { name: 'ops', role: 'operator', token: operator.ref },
            { name: 'ann', role: 'viewer', token: viewer.ref },
          ],
        },
      },
    });
    source = await bootStagingNode({
      name: 'editorial',
      http: false,
      servers: [{ name: 'production', url: target.url!, secret }],
    });
  });
  afterAll(async () => {
    await source?.stop();
    await target?.stop();
    await database?.drop();
  });

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    token: string | null = operator.value,
  ) => {
    const response = await fetch(`${target!.url}${API}${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const get = (path: string, token: string | null = viewer.value) => call('GET', path, undefined, token);
  const resolve = (id: number, body: unknown, token: string = operator.value) =>
    call('POST', `/conflicts/${id}/resolve`, body, token);

  const onSource = () => source!.storage.dataSource.getRepository(Article);
  const onTarget = () => target!.storage.dataSource.getRepository(Article);
  const sync = async () => {
    const server = (await source!.kernel.get(ServerInfoProvider).getServer('production'))!;
    // Held tasks wait without counting attempts; a person's synchronization sends them again at once.
    return source!.kernel
      .get(StagingTaskRunnerFactory)
      .create(server.id)
      .runSynchronization(undefined, { dueNow: true });
  };
  const auditRows = async () => (await get('/audit?limit=20')).body as any[];

  /**
   * Stages article `guid`, then edits it on the target (`here`) and at the source (`there`), and synchronizes:
   * the target holds the task. Resolves with the conflict's id.
   */
  const held = async (guid: string, here: Partial<Article> | 'delete', there: Partial<Article>) => {
    const article = await onSource().save({ guid, title: `${guid} v1`, body: 'body 1', views: 1 });
    // (Conflicts held before are sent again by each synchronization, and hold again.)
    expect(await sync()).toMatchObject({ failed: 0 });
    if (here === 'delete') await onTarget().delete({ guid });
    else await onTarget().save({ ...(await onTarget().findOneByOrFail({ guid })), ...here });
    await onSource().save({ ...article, ...there });
    expect(await sync()).toMatchObject({ failed: 0 });
    const open = await target!.kernel.get(StagingConflicts).list({ status: 'open' });
    const conflict = open.find((c) => c.objectGuid === guid);
    expect(conflict).toMatchObject({ outcome: 'held' });
    return conflict!.id;
  };

  let first: number;
  let second: number;
  let third: number;

  it('needs a token for every conflicts route, and the operator role to resolve', async () => {
    first = await held('c-1', { title: 'fixed on production' }, { body: 'body 2' });
    for (const [method, path] of [
      ['GET', '/conflicts'],
      ['GET', `/conflicts/${first}`],
      ['POST', `/conflicts/${first}/resolve`],
    ]) {
      expect(await call(method, path, method === 'POST' ? { take: 'source' } : undefined, null)).toEqual({
        status: 401,
        body: { error: 'UNAUTHORIZED', message: expect.stringContaining('admin.tokens') },
      });
    }
    expect(await resolve(first, { take: 'source' }, viewer.value)).toEqual({
      status: 403,
      body: { error: 'FORBIDDEN', message: "Token 'ann' has role viewer; this needs operator." },
    });
    expect((await get(`/conflicts/${first}`)).body).toMatchObject({ status: 'open', outcome: 'held' });
    expect(await auditRows()).toEqual([]);
  });

  it('lists conflicts newest first, filtered by status, source and object type, in keyset pages', async () => {
    second = await held('c-2', { title: 'second, edited here' }, { title: 'second, edited there' });
    third = await held('c-3', { body: 'body edited here' }, { title: 'third, edited there' });
    const listed = await get('/conflicts');
    expect(listed.status).toBe(200);
    expect(listed.body.nextCursor).toBeNull();
    expect(listed.body.items.map((c: { id: number }) => c.id)).toEqual([third, second, first]);
    expect(listed.body.items[0]).toEqual({
      id: third,
      sourceServer: 'editorial',
      taskGuid: expect.any(String),
      taskType: 'update',
      objectType: 'cms.article',
      objectGuid: 'c-3',
      title: 'third, edited there',
      kind: 'changed',
      policy: 'hold',
      status: 'open',
      outcome: 'held',
      createdAt: expect.any(Number),
      resolvedAt: null,
      resolvedBy: null,
    });

    const ids = async (query: string) =>
      (await get(`/conflicts?${query}`)).body.items.map((c: { id: number }) => c.id);
    expect(await ids('status=open')).toEqual([third, second, first]);
    expect(await ids('status=resolved')).toEqual([]);
    expect(await ids('source=editorial&objectType=cms.article')).toEqual([third, second, first]);
    expect(await ids('source=elsewhere')).toEqual([]);
    expect(await ids('objectType=cms.category')).toEqual([]);

    const pages: number[][] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: any } = await get(
        `/conflicts?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      pages.push(page.body.items.map((c: { id: number }) => c.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(pages).toEqual([[third, second], [first]]);
  });

  it.each([
    ['a page over the cap', '/conflicts?limit=21', 'PAGE_TOO_LARGE', undefined],
    ['a cursor this API did not hand out', '/conflicts?cursor=bm90LWEtY3Vyc29y', 'INVALID_CURSOR', undefined],
    ['an unknown status', '/conflicts?status=held', 'FST_ERR_VALIDATION', 'querystring.status'],
    ['an unknown filter key', '/conflicts?server=editorial', 'FST_ERR_VALIDATION', 'querystring'],
    ['an id that is not a number', '/conflicts/abc', 'FST_ERR_VALIDATION', 'params.id'],
  ])('refuses %s with 400', async (_, path, error, field) => {
    expect(await get(path)).toEqual({
      status: 400,
      body: {
        error,
        message: expect.stringMatching(/\w{8}/),
        // A wrong parameter is named by path, as every 400 about fields is.
        ...(field ? { problems: [{ path: field, message: expect.stringMatching(/\w{4}/) }] } : {}),
      },
    });
  });

  it('shows one conflict: its three versions and, per differing field, base, source and target', async () => {
    const { status, body } = await get(`/conflicts/${first}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: first,
      objectGuid: 'c-1',
      kind: 'changed',
      resolvable: true,
      mergeable: true,
    });
    expect(body.versions.base).toMatchObject({ guid: 'c-1', title: 'c-1 v1', body: 'body 1', views: 1 });
    expect(body.versions.source).toMatchObject({ title: 'c-1 v1', body: 'body 2' });
    expect(body.versions.target).toMatchObject({ title: 'fixed on production', body: 'body 1' });
    expect(body.fields).toEqual([
      {
        field: 'body',
        base: 'body 1',
        source: 'body 2',
        target: 'body 1',
        changedOnSource: true,
        changedOnTarget: false,
        clash: false,
      },
      {
        field: 'title',
        base: 'c-1 v1',
        source: 'c-1 v1',
        target: 'fixed on production',
        changedOnSource: false,
        changedOnTarget: true,
        clash: false,
      },
    ]);
    // A field changed on both sides to different values is a clash.
    expect((await get(`/conflicts/${second}`)).body.fields).toEqual([
      expect.objectContaining({ field: 'title', changedOnSource: true, changedOnTarget: true, clash: true }),
    ]);
    expect(await get('/conflicts/999999')).toEqual({
      status: 404,
      body: { error: 'CONFLICT_NOT_FOUND', message: expect.stringContaining('999999') },
    });
  });

  it.each([
    ['no take', {}],
    ['an unknown version', { take: 'both' }],
    ['an unknown key', { take: 'source', user: 'someone else' }],
    ['a take that is not a string', { take: ['source'] }],
  ])('refuses a resolution with %s (400), changing nothing', async (_, body) => {
    expect(await resolve(first, body)).toMatchObject({ status: 400, body: { error: 'FST_ERR_VALIDATION' } });
    expect((await get(`/conflicts/${first}`)).body.status).toBe('open');
  });

  it('takes the source: the target gets the task, the source hears duplicate, and it is audited', async () => {
    const answer = await resolve(first, { take: 'source' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      id: first,
      status: 'resolved',
      outcome: 'took-source',
      resolvedBy: 'ops',
      resolvedAt: expect.any(Number),
      resolvable: false,
    });
    expect(await onTarget().findOneBy({ guid: 'c-1' })).toMatchObject({ title: 'c-1 v1', body: 'body 2' });
    // Sent again, the held task is a duplicate now; the other two still hold.
    expect(await sync()).toMatchObject({ duplicates: 1, conflicts: 2 });

    expect(await resolve(first, { take: 'target' })).toEqual({
      status: 409,
      body: { error: 'CONFLICT_RESOLVED', message: expect.stringContaining('took-source') },
    });
    expect(await onTarget().findOneBy({ guid: 'c-1' })).toMatchObject({ body: 'body 2' });
    const audit = (await auditRows()).slice(0, 2);
    expect(audit.map((e) => [e.actor, e.action, e.target, e.outcome, e.detail])).toEqual([
      [
        'ops',
        'conflicts.resolve',
        { conflict: first, take: 'target' },
        'CONFLICT_RESOLVED',
        expect.any(String),
      ],
      [
        'ops',
        'conflicts.resolve',
        { conflict: first, take: 'source' },
        'ok',
        'took-source (cms.article:c-1)',
      ],
    ]);
  });

  it("keeps the target's version", async () => {
    expect(await resolve(second, { take: 'target' })).toMatchObject({
      status: 200,
      body: { outcome: 'took-target', resolvedBy: 'ops' },
    });
    expect(await onTarget().findOneBy({ guid: 'c-2' })).toMatchObject({ title: 'second, edited here' });
  });

  it('merges by field: each side keeps what it changed', async () => {
    expect(await resolve(third, { take: 'merged' })).toMatchObject({
      status: 200,
      body: { outcome: 'took-merged' },
    });
    expect(await onTarget().findOneBy({ guid: 'c-3' })).toMatchObject({
      title: 'third, edited there',
      body: 'body edited here',
    });
    expect(await sync()).toMatchObject({ duplicates: 2, conflicts: 0 });
    expect((await get('/conflicts?status=open')).body.items).toEqual([]);
  });

  it('refuses a merge without a version on both sides (422), changing nothing', async () => {
    const gone = await held('c-4', 'delete', { title: 'c-4 edited there' });
    const detail = (await get(`/conflicts/${gone}`)).body;
    expect(detail).toMatchObject({ kind: 'deleted-on-target', mergeable: false, versions: { target: null } });
    // Every field differs from a version that is not there; the key is absent where the target has none.
    expect(detail.fields.find((f: { field: string }) => f.field === 'title')).toEqual({
      field: 'title',
      base: 'c-4 v1',
      source: 'c-4 edited there',
      changedOnSource: true,
      changedOnTarget: true,
      clash: true,
    });
    expect(await resolve(gone, { take: 'merged' })).toEqual({
      status: 422,
      body: { error: 'MERGE_IMPOSSIBLE', message: expect.stringContaining('deleted-on-target') },
    });
    expect((await get(`/conflicts/${gone}`)).body).toMatchObject({ status: 'open', outcome: 'held' });
    expect(await onTarget().findOneBy({ guid: 'c-4' })).toBeNull();
    expect(await resolve(gone, { take: 'source' })).toMatchObject({ status: 200 });
    expect(await onTarget().findOneBy({ guid: 'c-4' })).toMatchObject({ title: 'c-4 edited there' });
  });

  it('refuses to take the source of a type no longer synchronized here (422), and an unknown conflict (404)', async () => {
    const legacy = await target!.storage.dataSource.getRepository(StagingConflict).save({
      sourceServer: 'editorial',
      taskGuid: '00000000-0000-4000-8000-000000000001',
      taskType: 'update',
      objectType: 'legacy.page',
      objectGuid: 'home',
      title: 'Home',
      kind: 'changed',
      policy: 'hold',
      status: 'open',
      outcome: 'held',
      base: '{"title":"Home"}',
      source: '{"title":"Home, new"}',
      target: '{"title":"Home, edited"}',
      task: JSON.stringify({ guid: '00000000-0000-4000-8000-000000000001', objectType: 'legacy.page' }),
      createdAt: Date.now(),
      resolvedAt: null,
      resolvedBy: null,
    });
    expect(await resolve(legacy.id, { take: 'source' })).toEqual({
      status: 422,
      body: { error: 'UNKNOWN_OBJECT_TYPE', message: expect.stringContaining('legacy.page') },
    });
    expect((await get(`/conflicts/${legacy.id}`)).body.status).toBe('open');
    expect(await resolve(999999, { take: 'source' })).toEqual({
      status: 404,
      body: { error: 'CONFLICT_NOT_FOUND', message: expect.stringContaining('999999') },
    });
    const audit = (await auditRows()).slice(0, 2);
    expect(audit.map((e) => [e.action, e.target, e.outcome])).toEqual([
      ['conflicts.resolve', { conflict: 999999, take: 'source' }, 'CONFLICT_NOT_FOUND'],
      ['conflicts.resolve', { conflict: legacy.id, take: 'source' }, 'UNKNOWN_OBJECT_TYPE'],
    ]);
  });

  it('streams each conflict recorded and each resolution as live events', async () => {
    const abort = new AbortController();
    const events: { type: string; data: any }[] = [];
    const response = await fetch(`${target!.url}${API}/events`, {
      headers: { authorization: `Bearer ${viewer.value}` },
      signal: abort.signal,
    });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      let buffered = '';
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffered += value;
        for (let end; (end = buffered.indexOf('\n\n')) >= 0; buffered = buffered.slice(end + 2)) {
          const frame = buffered.slice(0, end);
          const type = /^event: (.+)$/m.exec(frame)?.[1];
          const data = /^data: (.+)$/m.exec(frame)?.[1];
          if (type?.startsWith('conflict.') && data) events.push({ type, data: JSON.parse(data) });
        }
      }
    })();
    try {
      await until(() => target!.kernel.get(AdminEventStream).connected === 1, 'the client to be attached');
      const id = await held('c-5', { views: 50 }, { views: 5 });
      await until(
        () => events.find((e) => e.type === 'conflict.recorded' && e.data.id === id),
        'conflict.recorded',
      );
      expect(events.find((e) => e.data.id === id)!.data).toEqual({
        id,
        sourceServer: 'editorial',
        objectType: 'cms.article',
        objectGuid: 'c-5',
        kind: 'changed',
        outcome: 'held',
      });
      expect(await resolve(id, { take: 'target' })).toMatchObject({ status: 200 });
      const resolved = await until(
        () => events.find((e) => e.type === 'conflict.resolved'),
        'conflict.resolved',
      );
      expect(resolved.data).toEqual({
        id,
        outcome: 'took-target',
        objectType: 'cms.article',
        objectGuid: 'c-5',
        actor: 'ops',
      });
    } finally {
      abort.abort();
    }
  });

  it('publishes the routes in the OpenAPI document', async () => {
    const { body } = await get('/openapi.json');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([`${API}/conflicts`, `${API}/conflicts/{id}`, `${API}/conflicts/{id}/resolve`]),
    );
    const parameters = body.paths[`${API}/conflicts`].get.parameters.map((p: { name: string }) => p.name);
    expect(parameters).toEqual(expect.arrayContaining(['status', 'source', 'objectType', 'limit', 'cursor']));
    expect(Object.keys(body.components.schemas)).toEqual(
      expect.arrayContaining(['ConflictPage', 'ConflictDetail', 'ConflictField']),
    );
  });
});
