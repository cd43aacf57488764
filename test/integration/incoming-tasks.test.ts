// Incoming tasks: logged for a connector, prepared by it and applied to the host through core's applier, not echoed
// back to that connector; bad input is recorded on the task; the HTTP intake authenticates per connector.
import { Kernel, Storage } from '@syncbus/core';
import {
  ConnectorNotFoundError,
  DuplicateExternalTaskError,
  IncomingTaskService,
  IntegrationConnectorInfoProvider,
  IntegrationDisabledError,
  IntegrationEvents,
  IntegrationHelper,
  IntegrationSyncLog,
  IntegrationSynchronizations,
  type IntegrationTaskEventArgs,
} from '@syncbus/integration';
import { httpErrorHandler } from '@syncbus/server';
import { resetScripts, scriptOf } from '@syncbus-fixtures/scripted-connector';
import Fastify, { type FastifyInstance } from 'fastify';
import { Client } from 'pg';
import { Article } from '../support/content-model';
import { ifPostgres, requireTestDatabase } from '../support/postgres';
import { tempSqliteUrl } from '../support/temp-sqlite';
import { bootIntegrationNode, connectorEntry, until } from './integration-node';
import { setSuiteEnv } from '../support/suite-env';

describe('incoming integration tasks (SQLite)', () => {
  let kernel: Kernel | undefined;
  beforeEach(() => resetScripts());
  afterEach(async () => {
    await kernel?.stop();
    kernel = undefined;
  });

  const node = () => kernel!;
  const article = (guid: string) =>
    node()
      .get(Storage)
      .dataSource.getRepository(Article)
      .findOne({ where: { guid }, relations: { category: true } });
  const incomingRows = (name: string) => node().get(IntegrationSynchronizations).list(name, 'incoming');
  const settled = (name: string, count: number) =>
    until(async () => {
      const rows = await incomingRows(name);
      return rows.length === count && rows.every((r) => r.status === 'failed') ? rows : undefined;
    }, `${count} failed incoming rows of ${name}`);

  it('applies incoming tasks to the host with references translated, and does not echo them back', async () => {
    kernel = await bootIntegrationNode({ url: tempSqliteUrl('integration-in') });
    const helper = node().get(IntegrationHelper);
    const logged: IntegrationTaskEventArgs[] = [];
    node()
      .get(IntegrationEvents)
      .logExternalTask.after.subscribe((args) => void logged.push(args));

    await helper.processExternalTask('alpha', { id: 'ext-news', label: 'News' }, 'create', {
      objectType: 'cms.category',
      externalId: 'ext-news',
    });
    const task = await helper.processExternalTask(
      'alpha',
      { id: 'ext-a-9', headline: 'From the CRM', categoryId: 'ext-news' },
      'create',
      { objectType: 'cms.article', externalId: 'ext-a-9', user: 'crm-sync' },
    );
    expect(task).toMatchObject({
      inbound: true,
      taskType: 'create',
      objectType: 'cms.article',
      objectGuid: 'ext-a-9',
    });
    expect(logged.map((l) => `${l.connectorName} ${l.task.objectGuid} ${l.task.id > 0}`)).toEqual([
      'alpha ext-news true',
      'alpha ext-a-9 true',
    ]);

    const applied = await until(
      () => article('a-9').then((a) => a ?? undefined),
      'the article to be applied',
    );
    expect(applied).toMatchObject({ title: 'From the CRM', category: { code: 'news', name: 'News' } });
    // the other connector hears of the change, with references translated to its external ids
    await until(() => scriptOf('beta').received.length === 2, 'beta to receive both changes');
    expect(scriptOf('beta').received.map((r) => [r.objectGuid, r.data.category])).toEqual([
      ['news', undefined],
      ['a-9', 'ext-news'],
    ]);
    // the connector it came from does not get it back
    expect(scriptOf('alpha').received).toEqual([]);
    expect(await incomingRows('alpha')).toEqual([]);

    // an update from the same connector updates the same object
    await helper.processExternalTask('alpha', { id: 'ext-a-9', headline: 'Renamed', views: 7 }, 'update', {
      objectType: 'cms.article',
      externalId: 'ext-a-9',
    });
    await until(() => article('a-9').then((a) => a?.title === 'Renamed' && a), 'the update');
    expect((await article('a-9'))!.views).toBe(7);
    expect(scriptOf('alpha').received).toEqual([]);
  });

  it('bad input is recorded on its task with the message; good tasks and other objects go on', async () => {
    kernel = await bootIntegrationNode({ url: tempSqliteUrl('integration-in') });
    const helper = node().get(IntegrationHelper);
    await expect(
      helper.processExternalTask('gamma', {}, 'create', { objectType: 'cms.article' }),
    ).rejects.toThrow(ConnectorNotFoundError);
    await expect(
      helper.processExternalTask('gamma', {}, 'create', { objectType: 'cms.article' }),
    ).rejects.toThrow("No integration connector named 'gamma' is loaded (loaded: alpha, beta)");

    const input = [
      [{ id: 'ext-p-1', headline: 'A page' }, 'cms.page', 'ext-p-1'],
      [{ id: 'ext-a-1', headline: 'Bad views', views: 'many' }, 'cms.article', 'ext-a-1'],
      [{ snapshot: { objectType: 'cms.article', data: 'nope' } }, 'cms.article', 'ext-a-2'],
      [{ fail: 'CRM record is locked' }, 'cms.article', 'ext-a-3'],
      // referenced category arrives after the article: the article waits for it (retried), then applies
      [{ id: 'ext-a-4', headline: 'Early', categoryId: 'ext-late' }, 'cms.article', 'ext-a-4'],
      [{ id: 'ext-late', label: 'Late' }, 'cms.category', 'ext-late'],
      [{ id: 'ext-a-5', headline: 'Good' }, 'cms.article', 'ext-a-5'],
    ] as const;
    for (const [object, objectType, externalId] of input) {
      await helper.processExternalTask('alpha', object, 'create', { objectType, externalId });
    }
    const failed = await settled('alpha', 4);
    const errors = Object.fromEntries(failed.map((r) => [r.objectKey, [r.attempts, r.lastError]]));
    expect(errors).toEqual({
      'cms.page:ext-p-1': [
        1,
        expect.stringContaining("Object type 'cms.page' is not synchronized on this node"),
      ],
      'cms.article:ext-a-1': [1, expect.stringContaining("'views' of cms.article must be a number")],
      'cms.article:ext-a-2': [
        1,
        expect.stringMatching(
          /^alpha.prepareInternalObject did not return an object snapshot .*objectGuid: .*data: /,
        ),
      ],
      'cms.article:ext-a-3': [3, 'alpha.prepareInternalObject threw: CRM record is locked'],
    });
    expect((await article('a-4'))!.category!.code).toBe('late');
    expect(await article('a-5')).toMatchObject({ title: 'Good' });

    const info = await node().get(IntegrationConnectorInfoProvider).getIntegrationConnectorInfo('alpha');
    const history = await node().get(IntegrationSyncLog).entries(info!.connectorId);
    expect(history.every((h) => h.inbound)).toBe(true);
    // at least one failed attempt (how many depends on when the category was logged), each saying why
    const early = history.filter((h) => h.objectGuid === 'ext-a-4');
    expect(early.length).toBeGreaterThanOrEqual(1);
    for (const entry of early)
      expect(entry.error).toContain("references cms.category 'late', which does not exist on this node");
    expect(history.filter((h) => h.objectGuid === 'ext-a-3')).toHaveLength(3);
  });

  it('with logging of incoming tasks turned off, they are refused with a clear error', async () => {
    kernel = await bootIntegrationNode({
      url: tempSqliteUrl('integration-in'),
      integration: { logExternal: false },
    });
    await expect(
      node()
        .get(IntegrationHelper)
        .processExternalTask('alpha', { id: 'x' }, 'create', { objectType: 'cms.article' }),
    ).rejects.toThrow(new IntegrationDisabledError('integration.logExternal', 'Logging of incoming tasks'));
  });

  describe('over HTTP', () => {
    setSuiteEnv({ SCRIPTED_ALPHA_INCOMING: 'alpha-incoming-token' });
    let app: FastifyInstance;
    let base: string;

    beforeEach(async () => {
      kernel = await bootIntegrationNode({
        url: tempSqliteUrl('integration-http'),
        connectors: [
          connectorEntry('alpha', { incomingToken: 'env:SCRIPTED_ALPHA_INCOMING' }),
          connectorEntry('beta'),
        ],
      });
      // How @syncbus/server mounts the intake (see the package README): the service does auth, validation, logging.
      const service = node().get(IncomingTaskService);
      app = Fastify();
      // Refusals are answered by the node's one mapping from errors to statuses and bodies.
      app.setErrorHandler(httpErrorHandler());
      app.post<{ Params: { name: string } }>(
        '/syncbus/integration/v1/connectors/:name/tasks',
        async (request, reply) => {
          const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
          return reply
            .code(202)
            .send(await service.accept(request.params.name, { token: bearer }, request.body));
        },
      );
      base = await app.listen({ port: 0, host: '127.0.0.1' });
    });
    afterEach(() => app.close());

    const post = (name: string, body: unknown, token?: string) =>
      fetch(`${base}/syncbus/integration/v1/connectors/${name}/tasks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as any }));

    const oneTask = {
      tasks: [
        {
          taskType: 'create',
          objectType: 'cms.article',
          externalId: 'ext-h-1',
          object: { id: 'ext-h-1', headline: 'Over HTTP' },
        },
      ],
    };

    it('refuses unknown connectors, connectors without a token, and wrong tokens, logging nothing', async () => {
      expect(await post('gamma', oneTask, 'alpha-incoming-token')).toMatchObject({
        // answered exactly as a wrong token: a stranger cannot learn which connectors exist
        status: 401,
        body: { error: 'UNAUTHORIZED' },
      });
      expect(await post('beta', oneTask, 'alpha-incoming-token')).toMatchObject({
        status: 403,
        body: { error: 'INCOMING_NOT_CONFIGURED' },
      });
      expect(await post('alpha', oneTask)).toMatchObject({ status: 401, body: { error: 'UNAUTHORIZED' } });
      const wrong = await post('alpha', oneTask, 'alpha-incoming-tokeN');
      expect(wrong).toMatchObject({ status: 401 });
      expect(JSON.stringify(wrong.body)).not.toContain('alpha-incoming-token');
      expect(await incomingRows('alpha')).toEqual([]);
      expect(await node().get(Storage).dataSource.getRepository(Article).count()).toBe(0);
    });

    it('refuses a malformed body naming every problem, and applies a good one', async () => {
      const bad = await post(
        'alpha',
        {
          tasks: [
            { taskType: 'create', objectType: 'cms.article', object: {} },
            { objectType: '', extra: 1 },
          ],
        },
        'alpha-incoming-token',
      );
      expect(bad.status).toBe(400);
      expect(bad.body.error).toBe('INVALID_BODY');
      expect(bad.body.problems.map((p: { path: string }) => p.path).sort()).toEqual(
        ['tasks.1', 'tasks.1.object', 'tasks.1.objectType', 'tasks.1.taskType'].sort(),
      );
      expect(await incomingRows('alpha')).toEqual([]);

      const good = await post('alpha', oneTask, 'alpha-incoming-token');
      expect(good).toEqual({
        status: 202,
        body: { tasks: [{ guid: expect.any(String), status: 'accepted' }] },
      });
      await until(() => article('h-1').then((a) => a ?? undefined), 'the posted article to be applied');
      expect(scriptOf('alpha').received).toEqual([]);
      await until(() => scriptOf('beta').received.length === 1, 'beta to hear of it');
    });

    it('a logExternalTask.before handler can cancel one posted task; the others are logged', async () => {
      node()
        .get(IntegrationEvents)
        .logExternalTask.before.add((args, control) => {
          if (args.task.objectGuid === 'ext-h-2') control.cancel('embargoed');
        });
      const response = await post(
        'alpha',
        {
          tasks: [
            oneTask.tasks[0],
            { ...oneTask.tasks[0], externalId: 'ext-h-2', object: { id: 'ext-h-2', headline: 'No' } },
          ],
        },
        'alpha-incoming-token',
      );
      expect(response.body.tasks.map((t: { status: string }) => t.status)).toEqual(['accepted', 'cancelled']);
      expect(response.body.tasks[1].reason).toBe('embargoed');
      await until(() => article('h-1').then((a) => a ?? undefined), 'the accepted article');
      expect(await article('h-2')).toBeNull();
    });
  });
});

ifPostgres(describe)('incoming task ledger (PostgreSQL)', () => {
  it('a delivery racing another of the same guid waits for it and is answered as a duplicate, not an error', async () => {
    const database = await requireTestDatabase('integration_ledger');
    const kernel = await bootIntegrationNode({ url: database.url, integration: { processExternal: false } });
    const first = new Client({ connectionString: database.url });
    await first.connect();
    try {
      const alpha = await kernel.get(IntegrationConnectorInfoProvider).getIntegrationConnectorInfo('alpha');
      // The first delivery of 'race-1' has written its ledger row and not committed yet.
      await first.query('BEGIN');
      await first.query(
        'INSERT INTO integration_received_task (connector_id, task_guid, received_at) VALUES ($1, $2, $3)',
        [alpha!.connectorId, 'race-1', Date.now()],
      );
      const second = kernel
        .get(IntegrationHelper)
        .processExternalTask('alpha', { id: 'ext-r', headline: 'Race' }, 'create', {
          objectType: 'cms.article',
          externalId: 'ext-r',
          guid: 'race-1',
        })
        .then(
          (task) => task,
          (error: unknown) => error,
        );
      // Read outside `first`'s transaction: inside one, PostgreSQL keeps the first snapshot of pg_stat_activity.
      await until(
        async () =>
          (
            await kernel
              .get(Storage)
              .dataSource.query(
                "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
                [database.name],
              )
          ).length > 0,
        'the second delivery to wait on the ledger row of the first',
      );
      await first.query('COMMIT');
      expect(await second).toBeInstanceOf(DuplicateExternalTaskError);
      expect(await kernel.get(IntegrationSynchronizations).list('alpha', 'incoming')).toEqual([]);
    } finally {
      await first.end();
      await kernel.stop();
      await database.drop();
    }
  });
});
