// Outgoing tasks on SQLite and PostgreSQL: logged with the change per matching connector, events, the seed's
// immediate processing, the drain's results (OK, Error with per-object hold-back, ErrorAndSkip, SkipNow),
// misbehaving connectors (throw, nonsense, hang, disabled mid-queue), snapshots and translation, and a restart.
import { Kernel, Storage } from '@syncbus/core';
import { withSqlTransaction } from '@syncbus/core/internal';
import {
  IntegrationConnectorInfoProvider,
  IntegrationEvents,
  IntegrationHelper,
  IntegrationSyncLog,
  IntegrationSynchronizations,
  type IntegrationTaskEventArgs,
} from '@syncbus/integration';
import { resetScripts, scriptOf, type ReceivedTask } from '@syncbus-fixtures/scripted-connector';
import { Article, Category } from '../support/content-model';
import { describeEachEngine, requireTestDatabase, type TestDatabase } from '../support/postgres';
import { tempSqliteUrl } from '../support/temp-sqlite';
import { bootIntegrationNode, until } from './integration-node';

const steps = (received: readonly ReceivedTask[], guid: string) =>
  received.filter((r) => r.objectGuid === guid).map((r) => `${r.taskType}:${r.step}`);

describeEachEngine(['sqlite', 'postgres'] as const)('outgoing integration tasks on %s', (engine) => {
  let url: string | undefined;
  let postgres: TestDatabase | undefined;
  const kernels: Kernel[] = [];

  const boot = async (integration: Record<string, unknown> = {}) => {
    const kernel = await bootIntegrationNode({ url: url!, integration });
    kernels.push(kernel);
    return kernel;
  };
  const stop = async (kernel: Kernel) => {
    kernels.splice(kernels.indexOf(kernel), 1);
    await kernel.stop();
  };
  const articles = (kernel: Kernel) => kernel.get(Storage).dataSource.getRepository(Article);
  const connectorId = async (kernel: Kernel, name: string) =>
    (await kernel.get(IntegrationConnectorInfoProvider).getIntegrationConnectorInfo(name))!.connectorId;

  beforeEach(async () => {
    resetScripts();
    if (engine === 'postgres') {
      postgres = await requireTestDatabase('integration_outgoing');
      url = postgres.url;
    } else {
      url = tempSqliteUrl('integration-out');
    }
  });
  afterEach(async () => {
    for (const kernel of kernels.splice(0)) await kernel.stop();
    await postgres?.drop();
    postgres = undefined;
  });

  it('logs one task and one synchronization per matching enabled connector, in the change transaction', async () => {
    scriptOf('alpha').subscriptions = [{ objectType: 'cms.article' }];
    scriptOf('beta').subscriptions = [{ objectType: 'cms.category', taskType: 'create' }];
    const kernel = await boot({ processInternal: false });
    const storage = kernel.get(Storage);
    const synchronizations = kernel.get(IntegrationSynchronizations);
    const taskRows = () =>
      storage.dataSource.query(
        'SELECT object_type, object_guid, task_type FROM integration_task ORDER BY id',
      );

    await storage.transaction(async (manager) => {
      const news = await manager.save(Category, { code: 'news', name: 'News' });
      await manager.save(Article, { guid: 'a-1', title: 'One', categoryId: news.id });
    });
    const news = await storage.dataSource.getRepository(Category).findOneByOrFail({ code: 'news' });
    news.name = 'News!';
    await storage.dataSource.getRepository(Category).save(news); // beta: create only; alpha: articles only
    await expect(
      storage.transaction(async (manager) => {
        await manager.save(Article, { guid: 'a-2', title: 'Rolled back' });
        throw new Error('host changed its mind');
      }),
    ).rejects.toThrow('host changed its mind');
    await kernel.get(IntegrationConnectorInfoProvider).setIntegrationConnectorEnabled('beta', false);
    await storage.dataSource.getRepository(Category).save({ code: 'tech', name: 'Tech' });

    expect(await taskRows()).toEqual([
      { object_type: 'cms.category', object_guid: 'news', task_type: 'create' },
      { object_type: 'cms.article', object_guid: 'a-1', task_type: 'create' },
    ]);
    expect((await synchronizations.list('alpha')).map((s) => s.objectKey)).toEqual(['cms.article:a-1']);
    expect((await synchronizations.list('beta')).map((s) => s.objectKey)).toEqual(['cms.category:news']);
  });

  it('logInternalTask.before can amend a task or cancel it for one connector; after carries the stored task', async () => {
    const kernel = await boot({ processInternal: false });
    const events = kernel.get(IntegrationEvents);
    const after: IntegrationTaskEventArgs[] = [];
    events.logInternalTask.after.subscribe((args) => void after.push(args));
    events.logInternalTask.before.add((args, control) => {
      if (args.connectorName === 'beta' && args.task.objectGuid === 'secret') control.cancel('not for beta');
      args.task = { ...args.task, title: `${args.task.title} (${args.connectorName})` };
    });
    await articles(kernel).save({ guid: 'public', title: 'Public' });
    await articles(kernel).save({ guid: 'secret', title: 'Secret' });

    expect(await articles(kernel).count()).toBe(2);
    expect(after.map((a) => `${a.connectorName} ${a.task.objectGuid} ${a.task.title}`)).toEqual([
      'alpha public Public (alpha)',
      'beta public Public (beta)',
      'alpha secret Secret (alpha)',
    ]);
    expect(after.every((a) => a.task.id > 0 && !a.task.inbound && a.task.processType === 'async')).toBe(true);
    expect((await kernel.get(IntegrationSynchronizations).list('beta')).map((s) => s.taskId)).toEqual([
      after[1].task.id,
    ]);
  });

  it("seed parity: an after-handler's connector.processInternalTask(task) processes the task at once, in order", async () => {
    // alpha's drain (polling) is busy with a hanging call when 'now' is logged: the handler's call waits for it,
    // then goes first.
    scriptOf('alpha').steps = { slow: ['hang', 'OK'] };
    const kernel = await boot({ callTimeoutMs: 300 });
    const results: string[] = [];
    // The seed's LogIntegrationTask_After, injected instead of static.
    kernel.get(IntegrationEvents).logInternalTask.after.subscribe(async (e) => {
      if (e.task.objectGuid === 'slow') return; // left to the drain, which is then busy with it
      const connectorInfo = await kernel
        .get(IntegrationConnectorInfoProvider)
        .getIntegrationConnectorInfo('alpha');
      if (connectorInfo && e.task) {
        const connector = kernel.get(IntegrationHelper).getConnector(connectorInfo.connectorName);
        const result = await connector!.processInternalTask(e.task);
        results.push(`${e.task.objectGuid} ${e.connectorName} ${result}`);
      }
    });
    await articles(kernel).save({ guid: 'slow', title: 'Slow' });
    await until(() => scriptOf('alpha').received.length === 1, "alpha's drain to be busy with 'slow'");
    await articles(kernel).save({ guid: 'now', title: 'Now' });
    await until(
      () => results.filter((r) => r.startsWith('now')).length === 2,
      "both after-events of 'now' handled",
    );
    // alpha's task of 'now' was processed by the handler's call (OK); beta's task is not alpha's (undefined)
    expect(results.filter((r) => r.startsWith('now')).sort()).toEqual(['now alpha OK', 'now beta undefined']);
    // ... before the drain's retry of 'slow'
    expect(
      scriptOf('alpha')
        .received.slice(0, 2)
        .map((r) => `${r.objectGuid}:${r.step}`),
    ).toEqual(['slow:hang', 'now:OK']);
  });

  it('results: OK, Error holds back only its object and retries, ErrorAndSkip moves on, SkipNow leaves it for later', async () => {
    const alpha = scriptOf('alpha');
    alpha.steps = { 'a-1': ['Error', 'OK'], 'a-2': ['ErrorAndSkip'], 'a-3': ['SkipNow', 'OK'] };
    const kernel = await boot();
    await kernel.get(Storage).transaction(async (manager) => {
      for (const guid of ['a-1', 'a-2', 'a-3']) await manager.save(Article, { guid, title: guid });
      for (const guid of ['a-1', 'a-3']) {
        const article = await manager.findOneByOrFail(Article, { guid });
        article.views = 1;
        await manager.save(article);
      }
    });
    await until(() => alpha.received.length === 7, 'alpha to finish', 5000);
    expect(steps(alpha.received, 'a-1')).toEqual(['create:Error', 'create:OK', 'update:OK']);
    expect(steps(alpha.received, 'a-2')).toEqual(['create:ErrorAndSkip']);
    expect(steps(alpha.received, 'a-3')).toEqual(['create:SkipNow', 'create:OK', 'update:OK']);
    // a-2 and a-3 went on while a-1 waited for its retry
    expect(alpha.received.slice(0, 3).map((r) => r.objectGuid)).toEqual(['a-1', 'a-2', 'a-3']);
    // beta was never held up
    expect(scriptOf('beta').received.map((r) => `${r.objectGuid}:${r.taskType}`)).toEqual([
      'a-1:create',
      'a-2:create',
      'a-3:create',
      'a-1:update',
      'a-3:update',
    ]);
    await until(
      async () => (await kernel.get(IntegrationSynchronizations).list('alpha')).length === 0,
      'an empty queue',
    );
    const history = await kernel.get(IntegrationSyncLog).entries(await connectorId(kernel, 'alpha'));
    expect(history.map((h) => `${h.objectGuid} ${h.result} ${h.error}`)).toEqual([
      'a-1 Error scripted Error for a-1',
      'a-2 ErrorAndSkip scripted ErrorAndSkip for a-2',
    ]);
  });

  it('a throw is an Error with its message, nonsense is an Error; out of attempts a task is failed until retried', async () => {
    const alpha = scriptOf('alpha');
    alpha.steps = { 'x-1': ['throw'], 'x-2': ['nonsense', 'OK'] };
    const kernel = await boot();
    const synchronizations = kernel.get(IntegrationSynchronizations);
    await articles(kernel).save({ guid: 'x-1', title: 'Throws' });
    await articles(kernel).save({ guid: 'x-2', title: 'Nonsense' });
    const [failed] = await until(async () => {
      const rows = await synchronizations.list('alpha');
      return rows.length === 1 && rows[0].status === 'failed' ? rows : undefined;
    }, 'x-1 to fail for good');
    expect(failed).toMatchObject({
      objectKey: 'cms.article:x-1',
      attempts: 3,
      lastError: 'alpha.processQueuedTask threw: scripted failure for x-1',
    });
    const history = await kernel.get(IntegrationSyncLog).entries(await connectorId(kernel, 'alpha'));
    expect(history.filter((h) => h.objectGuid === 'x-1')).toHaveLength(3);
    expect(history.find((h) => h.objectGuid === 'x-2')!.error).toBe(
      `alpha.processQueuedTask returned "Maybe", which is not a result; return 'OK', 'Error', 'ErrorAndSkip' or 'SkipNow'`,
    );
    expect(steps(alpha.received, 'x-2')).toEqual(['create:nonsense', 'create:OK']);

    alpha.steps['x-1'] = ['OK'];
    expect(await synchronizations.retry('alpha')).toBe(1);
    await until(
      async () => (await synchronizations.list('alpha')).length === 0,
      'the retried task to go through',
    );
    expect(steps(alpha.received, 'x-1')).toEqual([
      'create:throw',
      'create:throw',
      'create:throw',
      'create:OK',
    ]);
  });

  it('a hanging connector times out after the per-call limit and does not stall another connector', async () => {
    scriptOf('alpha').steps = { 'h-1': ['hang', 'OK'] };
    const kernel = await boot({ callTimeoutMs: 1000 });
    await kernel.get(Storage).transaction(async (manager) => {
      for (const guid of ['h-1', 'h-2', 'h-3']) await manager.save(Article, { guid, title: guid });
    });
    await until(
      () => scriptOf('beta').received.length === 3 && scriptOf('alpha').received.length >= 1,
      'beta to process all three, and alpha to start',
    );
    // beta is done while alpha still waits for its first call
    expect(scriptOf('alpha').received.map((r) => `${r.objectGuid}:${r.step}`)).toEqual(['h-1:hang']);
    const alphaRows = await kernel.get(IntegrationSynchronizations).list('alpha');
    expect(alphaRows.map((r) => [r.objectKey, r.attempts])).toEqual([
      ['cms.article:h-1', 0],
      ['cms.article:h-2', 0],
      ['cms.article:h-3', 0],
    ]);

    await until(() => scriptOf('alpha').received.length === 4, 'alpha to time out, go on, and retry');
    expect(scriptOf('alpha').received.map((r) => `${r.objectGuid}:${r.step}`)).toEqual([
      'h-1:hang',
      'h-2:OK',
      'h-3:OK',
      'h-1:OK',
    ]);
    const history = await kernel.get(IntegrationSyncLog).entries(await connectorId(kernel, 'alpha'));
    expect(history.map((h) => h.error)).toEqual([
      expect.stringContaining('alpha.processQueuedTask timed out after 1000 ms'),
    ]);
  });

  it('heartbeats renew the lease of the task in hand while its connector call runs', async () => {
    scriptOf('alpha').steps = { held: ['hang', 'OK'] };
    // Heartbeat every 300 ms; the call may run up to 800 ms, so without renewal its lease could lapse mid-call.
    const kernel = await boot({ leaseMs: 900, callTimeoutMs: 800 });
    const alphaId = await connectorId(kernel, 'alpha');
    await articles(kernel).save({ guid: 'held', title: 'Held' });
    await until(() => scriptOf('alpha').received.length === 1, 'alpha to be in its call');
    const lease = async () => {
      const [row] = await withSqlTransaction(kernel.get(Storage), (sql) =>
        sql.all<{ lease_expires_at: unknown }>(
          'SELECT lease_expires_at FROM integration_synchronization WHERE connector_id = ?',
          [alphaId],
        ),
      );
      return Number(row?.lease_expires_at ?? 0);
    };
    const first = await lease();
    expect(first).toBeGreaterThan(Date.now());
    // Within two heartbeat periods, still inside the call (it times out only at 800 ms).
    await until(async () => (await lease()) > first, 'the lease of the row in hand to be renewed', 600);
    expect(scriptOf('alpha').received).toHaveLength(1);
    await until(
      async () => (await kernel.get(IntegrationSynchronizations).list('alpha')).length === 0,
      'alpha to finish',
    );
    expect(steps(scriptOf('alpha').received, 'held')).toEqual(['create:hang', 'create:OK']);
  });

  it('a connector disabled mid-queue keeps its tasks, says why, and processes them once enabled again', async () => {
    const alpha = scriptOf('alpha');
    alpha.steps = { 'd-1': ['hang', 'OK'] };
    const kernel = await boot({ callTimeoutMs: 400 });
    const provider = kernel.get(IntegrationConnectorInfoProvider);
    const synchronizations = kernel.get(IntegrationSynchronizations);
    await kernel.get(Storage).transaction(async (manager) => {
      for (const guid of ['d-1', 'd-2', 'd-3']) await manager.save(Article, { guid, title: guid });
    });
    await until(() => alpha.received.length === 1, 'alpha to be busy with d-1');
    await provider.setIntegrationConnectorEnabled('alpha', false);
    const waiting = await until(async () => {
      const rows = await synchronizations.list('alpha');
      return rows.length === 3 && rows.every((r) => r.lastError) ? rows : undefined;
    }, 'the batch to be given back with reasons');
    expect(waiting.map((r) => [r.objectKey, r.attempts, r.lastError])).toEqual([
      ['cms.article:d-1', 1, expect.stringContaining('timed out after 400 ms')],
      ['cms.article:d-2', 0, "connector 'alpha' is disabled; its tasks wait until it is enabled again"],
      ['cms.article:d-3', 0, "connector 'alpha' is disabled; its tasks wait until it is enabled again"],
    ]);
    expect((await provider.getIntegrationConnectorInfo('alpha'))!.connectorEnabled).toBe(false);
    expect(alpha.received).toHaveLength(1);
    expect(scriptOf('beta').received).toHaveLength(3);

    await provider.setIntegrationConnectorEnabled('alpha', true);
    await until(async () => (await synchronizations.list('alpha')).length === 0, 'alpha to catch up');
    expect(steps(alpha.received, 'd-1')).toEqual(['create:hang', 'create:OK']);
    expect(alpha.received.map((r) => r.objectGuid).sort()).toEqual(['d-1', 'd-1', 'd-2', 'd-3']);
  });

  it('snapshot data type carries the referenced objects; references go out as external ids', async () => {
    scriptOf('alpha').subscriptions = [{ objectType: 'cms.article', dataType: 'snapshot' }];
    scriptOf('beta').subscriptions = [{ objectType: 'cms.article' }];
    const kernel = await boot();
    await kernel.get(Storage).transaction(async (manager) => {
      const news = await manager.save(Category, { code: 'news', name: 'News' });
      await manager.save(Article, { guid: 'r-1', title: 'Referencing', categoryId: news.id });
    });
    await until(
      () => scriptOf('alpha').received.length === 1 && scriptOf('beta').received.length === 1,
      'both',
    );
    const [alpha] = scriptOf('alpha').received;
    const [beta] = scriptOf('beta').received;
    expect(alpha).toMatchObject({ dataType: 'snapshot', related: ['cms.category:news'] });
    expect(alpha.data).toMatchObject({ guid: 'r-1', title: 'Referencing', category: 'ext-news' });
    expect(beta).toMatchObject({ dataType: 'simple', related: [] });
    expect(beta.data.category).toBe('ext-news');
  });

  it('pending tasks survive a restart of the process and are processed after start, in logged order', async () => {
    const first = await boot({ processInternal: false });
    for (const guid of ['p-1', 'p-2']) await articles(first).save({ guid, title: guid });
    const article = await articles(first).findOneByOrFail({ guid: 'p-1' });
    article.title = 'p-1 v2';
    await articles(first).save(article);
    await stop(first);
    expect(scriptOf('alpha').received).toEqual([]);

    const second = await boot();
    await until(
      () => scriptOf('alpha').received.length === 3 && scriptOf('beta').received.length === 3,
      'both',
    );
    for (const name of ['alpha', 'beta']) {
      expect(scriptOf(name).received.map((r) => `${r.objectGuid}:${r.taskType}`)).toEqual([
        'p-1:create',
        'p-2:create',
        'p-1:update',
      ]);
    }
    await until(
      async () => (await second.get(IntegrationSynchronizations).list('alpha')).length === 0,
      'an empty queue',
    );
  });
});
