// The seed's last paragraph, proved between real nodes over HTTP on loopback: with its LogTaskHandlerModule (ported
// to TypeScript in a plugin package), all staging tasks reach all relevant target servers immediately and all
// outgoing integration tasks are processed by the named connector immediately. The same test body then runs with
// the two auto-sync plugins in its place and gets the same result. A control run without either proves that
// "immediately" is theirs: within the time they needed (and longer), nothing is sent and MyConnector processes
// nothing, since the background drains only poll (every 10 minutes here).
import { createLogger, Kernel, Storage } from '@syncbus/core';
import {
  IntegrationEvents,
  IntegrationModule,
  IntegrationSynchronizations,
  IntegrationTaskProcessor,
} from '@syncbus/integration';
import { StagingModule, SynchronizationInfoProvider } from '@syncbus/staging';
import { Article, Category, contentModel } from '../support/content-model';
import {
  bootStagingNode,
  createTestSecret,
  eventually,
  type StagingNode,
  type TestSecret,
} from '../support/staging-nodes';
import { tempSqliteUrl } from '../support/temp-sqlite';
import { startConnectorEndpoint, type ConnectorEndpoint } from './connector-endpoint';

interface Variant {
  readonly name: string;
  readonly plugins: readonly string[];
  readonly config: Record<string, unknown>;
  /** The module that does the automatic synchronization in this variant; none in the control run. */
  readonly module?: string;
}

const variants: Variant[] = [
  {
    name: "the seed's LogTaskHandlerModule, ported by hand",
    plugins: ['@syncbus-fixtures/seed-log-task-handler'],
    config: {},
    module: 'LogTaskHandlers',
  },
  {
    name: 'the two auto-sync plugins',
    plugins: ['@syncbus/plugin-staging-autosync', '@syncbus/plugin-integration-autosync'],
    config: { integrationAutoSync: { connectors: ['MyConnector'] } },
    module: 'StagingAutoSync',
  },
  { name: 'neither (control run)', plugins: [], config: {} },
];

/** The longest time an automatic variant needed, from the first edit to all done: the control run waits longer. */
const needed = { staging: 0, integration: 0 };
/** What the control run waits before it checks that nothing happened, in ms. */
const controlWait = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(500, 3 * ms)));

describe.each(variants)('seed parity with $name', (variant) => {
  let secret: TestSecret;
  let targets: Record<'a' | 'b' | 'off', StagingNode>;
  let endpoint: ConnectorEndpoint;
  let source: Kernel;

  beforeEach(async () => {
    secret = createTestSecret();
    const acceptFrom = [{ server: 'source', secret }];
    targets = {
      a: await bootStagingNode({ name: 'target-a', acceptFrom }),
      b: await bootStagingNode({ name: 'target-b', acceptFrom }),
      off: await bootStagingNode({ name: 'target-off', acceptFrom }),
    };
    endpoint = await startConnectorEndpoint();
    source = await Kernel.boot({
      config: {
        nodeName: 'source',
        database: { url: tempSqliteUrl('seed-parity') },
        plugins: ['@syncbus-fixtures/seed-connectors', ...variant.plugins],
        // Nothing else sends during the test: no retry comes due and the integration drain never polls.
        staging: { retry: { maxAttempts: 5, baseDelayMs: 600_000, maxDelayMs: 600_000 } },
        servers: [
          { name: 'target-a', url: targets.a.url, secret: secret.ref },
          { name: 'target-b', url: targets.b.url, secret: secret.ref },
          { name: 'target-off', url: targets.off.url, secret: secret.ref, enabled: false },
        ],
        integration: { pollIntervalMs: 600_000 },
        connectors: [
          { name: 'MyConnector', config: { endpoint: `${endpoint.url}/my` } },
          { name: 'OtherConnector', config: { endpoint: `${endpoint.url}/other` } },
        ],
        ...variant.config,
      },
      modules: [StagingModule, IntegrationModule],
      ...contentModel,
      logger: createLogger({ level: 'silent' }),
    });
    // The drains' first pass (over tasks left from before a start) is done: from here only a wake or a poll sends.
    await source.get(IntegrationTaskProcessor).settled();
  });
  afterEach(async () => {
    await source.stop();
    await Promise.all(Object.values(targets).map((t) => t.stop()));
    await endpoint.close();
    delete process.env[secret.variable];
  });

  /** A host's edits, each committed on its own: categories, articles referencing them, updates, a delete. */
  const edit = async () => {
    const storage = source.get(Storage);
    const categories = storage.dataSource.getRepository(Category);
    const articles = storage.dataSource.getRepository(Article);
    const news = await categories.save({ code: 'news', name: 'News' });
    const tech = await categories.save({ code: 'tech', name: 'Tech' });
    for (let i = 1; i <= 6; i++) {
      await articles.save({ guid: `a-${i}`, title: `Article ${i}`, categoryId: i % 2 ? news.id : tech.id });
    }
    const first = await articles.findOneByOrFail({ guid: 'a-1' });
    first.title = 'Article 1, edited';
    first.categoryId = tech.id;
    await articles.save(first);
    tech.name = 'Technology';
    await categories.save(tech);
    await articles.remove(await articles.findOneByOrFail({ guid: 'a-6' }));
  };

  /** Categories and articles of a node, references by code: comparable across nodes. */
  const content = async (storage: Storage) => ({
    categories: (await storage.dataSource.getRepository(Category).find({ order: { code: 'ASC' } })).map(
      (c) => `${c.code}:${c.name}`,
    ),
    articles: (
      await storage.dataSource
        .getRepository(Article)
        .find({ order: { guid: 'ASC' }, relations: { category: true } })
    ).map((a) => `${a.guid}:${a.title}:${a.category?.code ?? '-'}`),
  });

  it('all staging tasks reach all relevant target servers immediately; a disabled server gets nothing', async () => {
    const started = Date.now();
    await edit();
    const expected = await content(source.get(Storage));
    expect(expected.articles).toHaveLength(5);
    if (!variant.module) {
      const names = source.modules.map((m) => m.name);
      for (const name of ['LogTaskHandlers', 'StagingAutoSync', 'IntegrationAutoSync'])
        expect(names).not.toContain(name);
      // Proving an absence: a bounded wait, longer than the automatic variants needed.
      await controlWait(needed.staging);
      for (const target of Object.values(targets))
        expect(await content(target.storage)).toEqual({ categories: [], articles: [] });
      expect((await source.get(SynchronizationInfoProvider).getSynchronizations()).length).toBeGreaterThan(0);
      return;
    }
    expect(source.modules.map((m) => m.name)).toContain(variant.module);
    // No runner is called here and nothing else would send: the handlers do it, as soon as each task is logged.
    for (const target of [targets.a, targets.b]) {
      await eventually(
        async () => JSON.stringify(await content(target.storage)) === JSON.stringify(expected),
        `${target.name} to hold what the source holds`,
      );
    }
    await eventually(
      async () => (await source.get(SynchronizationInfoProvider).getSynchronizations()).length === 0,
      'no staging task left pending on the source',
    );
    needed.staging = Math.max(needed.staging, Date.now() - started);
    expect(await content(targets.off.storage)).toEqual({ categories: [], articles: [] });
    expect(await targets.off.storage.dataSource.query('SELECT * FROM staging_received_task')).toEqual([]);
  });

  it('all outgoing integration tasks are processed by MyConnector immediately, and not by another connector', async () => {
    const logged: { connector: string; guid: string }[] = [];
    source
      .get(IntegrationEvents)
      .logInternalTask.after.subscribe((e) => logged.push({ connector: e.connectorName, guid: e.task.guid }));
    const started = Date.now();
    await edit();
    const mine = logged.filter((t) => t.connector === 'MyConnector').map((t) => t.guid);
    const others = logged.filter((t) => t.connector === 'OtherConnector').map((t) => t.guid);
    expect(mine.length).toBeGreaterThanOrEqual(11);
    expect(others).toHaveLength(mine.length);

    const postedBy = (path: string) => endpoint.received.get(path) ?? [];
    if (!variant.module) {
      await controlWait(needed.integration);
      expect(postedBy('/my')).toEqual([]);
      expect(postedBy('/other')).toEqual([]);
      expect(await source.get(IntegrationSynchronizations).list('MyConnector')).toHaveLength(mine.length);
      return;
    }
    await eventually(() => postedBy('/my').length >= mine.length, 'MyConnector to process its tasks');
    await eventually(
      async () => (await source.get(IntegrationSynchronizations).list('MyConnector')).length === 0,
      "MyConnector's queue to be empty",
    );
    needed.integration = Math.max(needed.integration, Date.now() - started);
    // Each of MyConnector's tasks once, in the order logged, and nothing of another connector's.
    expect(postedBy('/my').map((p) => p.guid)).toEqual(mine);
    expect(postedBy('/my').every((p) => p.connector === 'MyConnector')).toBe(true);
    expect(postedBy('/other').some((p) => mine.includes(p.guid))).toBe(false);
    expect(postedBy('/other').every((p) => others.includes(p.guid))).toBe(true);
    const article = postedBy('/my').find((p) => p.objectGuid === 'a-2' && p.taskType === 'create');
    expect(article?.data).toMatchObject({ title: 'Article 2', category: 'tech' });
  });
});
