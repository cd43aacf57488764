// The receiver's HTTP route refuses every bad request with the right status and message and applies nothing from
// it; accepted requests apply task by task, each once, a failing task rolled back alone.
import { randomUUID } from 'node:crypto';
import { ObjectApplier } from '@syncbus/core/internal';
import { SIGNATURE_HEADER, STAGING_TASKS_PATH, StagingEvents, TIMESTAMP_HEADER } from '@syncbus/staging';
import { signHmacRequest } from '@syncbus/core';
import { Article, Category } from '../support/content-model';
import { describeEachEngine, requireTestDatabase, type TestDatabase } from '../support/postgres';
import {
  bootStagingNode,
  createTestSecret,
  resetPostgresSchema,
  type StagingNode,
  type TestSecret,
} from '../support/staging-nodes';

type Engine = 'sqlite' | 'postgres';

// The receiver writes with engine-specific SQL (the ledger's one-statement insert): every case runs on both.
describeEachEngine<Engine>(['sqlite', 'postgres'])('staging receiver over HTTP (target on %s)', (engine) => {
  let node: StagingNode;
  let secret: TestSecret;
  let database: TestDatabase | undefined;

  beforeAll(async () => {
    if (engine === 'postgres') {
      database = await requireTestDatabase('staging_receiver');
    }
  });
  afterAll(() => database?.drop());

  beforeEach(async () => {
    secret = createTestSecret();
    if (database) await resetPostgresSchema(database.url);
    node = await bootStagingNode({
      name: 'target',
      databaseUrl: database?.url,
      acceptFrom: [{ server: 'source', secret }],
      staging: { receiver: { maxBodyBytes: 64 * 1024, timestampToleranceSeconds: 300 } },
    });
  });
  afterEach(async () => {
    await node.stop();
    delete process.env[secret.variable];
  });

  const task = (overrides: Record<string, unknown> = {}) => ({
    guid: randomUUID(),
    taskType: 'create',
    objectType: 'cms.category',
    objectGuid: 'news',
    objectId: '7',
    title: 'News',
    data: { code: 'news', name: 'News' },
    createdAt: Date.now(),
    origin: [],
    users: ['alice'],
    groups: [],
    ...overrides,
  });
  const body = (tasks: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({ protocol: 1, source: { server: 'source' }, tasks, ...extra });
  const post = async (
    raw: string,
    options: { timestamp?: number | string; signature?: string; key?: string; contentType?: string } = {},
  ) => {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const response = await fetch(`${node.url}${STAGING_TASKS_PATH}`, {
      method: 'POST',
      headers: {
        'content-type': options.contentType ?? 'application/json',
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: options.signature ?? signHmacRequest(options.key ?? secret.value, timestamp, raw),
      },
      body: raw,
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const nothingApplied = async () => {
    expect(await node.storage.dataSource.getRepository(Category).count()).toBe(0);
    expect(await node.storage.dataSource.query('SELECT id FROM staging_received_task')).toEqual([]);
  };

  it('applies a signed request task by task and answers each', async () => {
    const category = task();
    const article = task({
      objectType: 'cms.article',
      objectGuid: 'a-1',
      title: 'Hello',
      data: {
        guid: 'a-1',
        title: 'Hello',
        body: '',
        views: 3,
        category: { $ref: { type: 'cms.category', identity: 'news' } },
      },
    });
    const reply = await post(body([category, article]));
    expect(reply).toEqual({
      status: 200,
      body: {
        protocol: 1,
        results: [
          { guid: category.guid, status: 'applied' },
          { guid: article.guid, status: 'applied' },
        ],
      },
    });
    const stored = await node.storage.dataSource
      .getRepository(Article)
      .findOneOrFail({ where: { guid: 'a-1' }, relations: { category: true } });
    expect(stored).toMatchObject({ views: 3, category: { code: 'news' } });
  });

  it('refuses a bad signature, a wrong key, a missing signature and an unknown source with 401', async () => {
    const raw = body([task()]);
    const badSignature = await post(raw, { signature: 'v1=' + '0'.repeat(64) });
    expect(badSignature).toMatchObject({
      status: 401,
      body: { error: 'BAD_SIGNATURE', message: expect.stringMatching(/signature does not match/) },
    });
    expect(await post(raw, { key: 'another secret' })).toMatchObject({
      status: 401,
      body: { error: 'BAD_SIGNATURE' },
    });
    expect(await post(raw, { signature: '' })).toMatchObject({
      status: 401,
      body: { error: 'UNSIGNED_REQUEST' },
    });
    // A body changed after signing no longer matches.
    const signed = signHmacRequest(secret.value, Math.floor(Date.now() / 1000), raw);
    expect(await post(raw.replace('News', 'Fake'), { signature: signed })).toMatchObject({ status: 401 });
    // An unknown source gets the very answer of a bad signature: nothing tells which source names exist.
    const unknown = await post(body([task()], { source: { server: 'stranger' } }));
    expect(unknown).toEqual(badSignature);
    expect(unknown.body.message).toMatch(/staging\.receiver\.sources/);
    await nothingApplied();
  });

  it('checks the signature before it parses the body: unsigned or badly signed garbage is 401, never 400', async () => {
    const answer = async (raw: string, options: Parameters<typeof post>[1] = {}) => {
      const reply = await post(raw, options);
      return `${reply.status} ${reply.body.error}`;
    };
    const notJson = '{"protocol": 1, "source": {"server": "source"}, "tasks": [';
    expect(await answer(notJson, { key: 'another secret' })).toBe('401 BAD_SIGNATURE');
    expect(await answer(notJson, { signature: '' })).toBe('401 UNSIGNED_REQUEST');
    const stale = Math.floor(Date.now() / 1000) - 301;
    expect(await answer(notJson, { timestamp: stale })).toBe('401 STALE_TIMESTAMP');
    // Without a valid signature not even a missing source.server is looked at.
    expect(await answer(JSON.stringify({ tasks: [] }), { key: 'another secret' })).toBe('401 BAD_SIGNATURE');
    // The same bytes signed with the source's secret are parsed, and refused as JSON.
    expect(await post(notJson)).toMatchObject({
      status: 400,
      body: { error: 'MALFORMED_JSON', message: expect.stringMatching(/not valid JSON/) },
    });
    await nothingApplied();
  });

  it('refuses stale and future timestamps with 401; a replay inside the window is answered duplicate', async () => {
    const now = Math.floor(Date.now() / 1000);
    const raw = body([task()]);
    expect(await post(raw, { timestamp: now - 301 })).toMatchObject({
      status: 401,
      body: { error: 'STALE_TIMESTAMP', message: expect.stringMatching(/old/) },
    });
    // 5 s past the 300 s tolerance: a clock second ticking over between `now` and the check must not bring a
    // future timestamp back inside the window (+301 did, now and then).
    expect(await post(raw, { timestamp: now + 305 })).toMatchObject({
      status: 401,
      body: { error: 'STALE_TIMESTAMP', message: expect.stringMatching(/in the future/) },
    });
    expect(await post(raw, { timestamp: 'yesterday' })).toMatchObject({
      status: 401,
      body: { error: 'UNSIGNED_REQUEST' },
    });
    await nothingApplied();

    const first = await post(raw, { timestamp: now });
    expect(first.body.results[0].status).toBe('applied');
    await node.storage.dataSource.getRepository(Category).update({ code: 'news' }, { name: 'Changed here' });
    const replay = await post(raw, { timestamp: now });
    expect(replay).toMatchObject({ status: 200, body: { results: [{ status: 'duplicate' }] } });
    expect(await node.storage.dataSource.getRepository(Category).find()).toMatchObject([
      { name: 'Changed here' },
    ]);
  });

  it('refuses malformed JSON and wrong field types with 400, another protocol with 409, and an oversize body with 413', async () => {
    expect(await post('{"protocol": 1, "source": {"server": "source"}, "tasks": [')).toMatchObject({
      status: 400,
      body: { error: 'MALFORMED_JSON', message: expect.stringMatching(/not valid JSON/) },
    });
    const wrongTypes = await post(body([task({ createdAt: 'today', origin: 'source' }), task()]));
    expect(wrongTypes).toMatchObject({ status: 400, body: { error: 'INVALID_REQUEST' } });
    expect(wrongTypes.body.message).toMatch(/tasks\.0\.createdAt/);
    expect(wrongTypes.body.message).toMatch(/tasks\.0\.origin/);
    expect(await post(body([task({ data: 'not an object' })]))).toMatchObject({ status: 400 });
    expect(await post(body([task()], { protocol: 3 }))).toMatchObject({
      status: 409,
      body: { error: 'PROTOCOL_MISMATCH', message: expect.stringMatching(/speaks staging protocols 1 to 2/) },
    });
    expect(await post(JSON.stringify({ tasks: [] }))).toMatchObject({ status: 400 });
    const oversize = await post(body([task({ data: { code: 'news', name: 'x'.repeat(70 * 1024) } })]));
    // Refused from its Content-Length, before the body is read.
    expect(oversize).toMatchObject({
      status: 413,
      body: { error: 'BODY_TOO_LARGE', message: expect.stringMatching(/exceeds 65536 bytes; send smaller/) },
    });
    await nothingApplied();
  });

  it('answers unknown object types, unknown task types and failing applies per task, rolling back only that task', async () => {
    const events = node.kernel.get(StagingEvents);
    const processed: string[] = [];
    events.processTask.after.subscribe(({ task: t }) => void processed.push(t.objectGuid));
    events.processTask.before.add(({ task: t }) => {
      if (t.objectGuid === 'vetoed') throw new Error('vetoed by a handler');
    });
    const unknownType = task({ objectType: 'cms.page', objectGuid: 'p-1' });
    const unknownTaskType = task({
      taskType: 'publish',
      objectGuid: 'news-2',
      data: { code: 'news-2', name: 'N' },
    });
    const badValue = task({
      objectType: 'cms.article',
      objectGuid: 'a-1',
      data: { guid: 'a-1', title: 'T', views: 'many' },
    });
    const heldBack = task({
      objectType: 'cms.article',
      objectGuid: 'a-1',
      taskType: 'update',
      data: { title: 'U' },
    });
    const unresolved = task({
      objectType: 'cms.article',
      objectGuid: 'a-2',
      data: { guid: 'a-2', title: 'T', category: { $ref: { type: 'cms.category', identity: 'nowhere' } } },
    });
    const vetoed = task({ objectGuid: 'vetoed', data: { code: 'vetoed', name: 'V' } });
    // A host-defined task type whose handler writes, then throws: its write is rolled back with the task.
    node.kernel.get(ObjectApplier).registerTaskType('explode', async (_snapshot, manager) => {
      await manager.save(Category, { code: 'half', name: 'Half written' });
      throw new Error('exploded halfway');
    });
    const explodes = task({ taskType: 'explode', objectGuid: 'half', data: {} });
    const fine = task();
    const reply = await post(
      body([unknownType, unknownTaskType, badValue, heldBack, unresolved, vetoed, explodes, fine]),
    );
    expect(reply.status).toBe(200);
    expect(reply.body.results).toEqual([
      {
        guid: unknownType.guid,
        status: 'error',
        message: expect.stringMatching(/'cms\.page' is not synchronized/),
      },
      {
        guid: unknownTaskType.guid,
        status: 'error',
        message: expect.stringMatching(/'publish' has no handler/),
      },
      {
        guid: badValue.guid,
        status: 'error',
        message: expect.stringMatching(/'views' of cms\.article must be a number/),
      },
      { guid: heldBack.guid, status: 'error', message: 'held back: an earlier task of this object failed' },
      {
        guid: unresolved.guid,
        status: 'error',
        message: expect.stringMatching(/cms\.category 'nowhere'.*does not exist/),
      },
      { guid: vetoed.guid, status: 'error', message: 'EVENT_CANCELLED: vetoed by a handler' },
      // The target's own failure stays in its log: the source gets a stable code, not the error's text.
      { guid: explodes.guid, status: 'error', message: expect.stringMatching(/^APPLY_FAILED: .*its log/) },
      { guid: fine.guid, status: 'applied' },
    ]);
    expect(await node.storage.dataSource.getRepository(Article).count()).toBe(0);
    expect((await node.storage.dataSource.getRepository(Category).find()).map((c) => c.code)).toEqual([
      'news',
    ]);
    const ledger = await node.storage.dataSource.query('SELECT task_guid FROM staging_received_task');
    expect(ledger).toEqual([{ task_guid: fine.guid }]);
    expect(processed).toEqual(['news']);
  });

  it('refuses task data nested too deep with 400, never a 500 or a stack overflow', async () => {
    const deep = '['.repeat(30_000) + ']'.repeat(30_000);
    const reply = await post(body([task({ data: { code: 'news', name: 'DEEP' } })]).replace('"DEEP"', deep));
    expect(reply).toMatchObject({
      status: 400,
      body: { error: 'INVALID_REQUEST', message: expect.stringMatching(/nests deeper than 64 levels/) },
    });
    // Shallower, but still no value a text column takes: a short per-task error, not the whole value.
    const nested = { a: { b: { c: { d: 'x'.repeat(10_000) } } } };
    const wrong = await post(body([task({ data: { code: 'news', name: nested } })]));
    expect(wrong.body.results).toEqual([
      {
        guid: expect.any(String),
        status: 'error',
        message: "INVALID_VALUE: 'name' of cms.category must be a string, got an object.",
      },
    ]);
    await nothingApplied();
  });

  it('answers a guid repeated in one request as applied once, then duplicate', async () => {
    const once = task();
    const reply = await post(body([once, once]));
    expect(reply).toMatchObject({
      status: 200,
      body: {
        results: [
          { guid: once.guid, status: 'applied' },
          { guid: once.guid, status: 'duplicate' },
        ],
      },
    });
    expect(await node.storage.dataSource.query('SELECT task_guid FROM staging_received_task')).toEqual([
      { task_guid: once.guid },
    ]);
  });

  it('answers a validly signed body of another content type with 415, before reading it', async () => {
    const raw = body([task()]);
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonx']) {
      expect(await post(raw, { contentType })).toMatchObject({
        status: 415,
        body: { error: 'UNSUPPORTED_MEDIA_TYPE' },
      });
    }
    expect(await post(raw, { contentType: 'application/json; charset=utf-8' })).toMatchObject({
      status: 200,
    });
  });

  it('serves /healthz', async () => {
    const response = await fetch(`${node.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', database: engine, role: 'all', wakeups: 'unused' });
  });
});
