// Synchronous subscriptions: the connector is called inside the change; its Error rolls the change back,
// ErrorAndSkip is recorded and the change goes on, SkipNow queues the task; the highest-priority subscription wins.
import { Kernel, Storage } from '@syncbus/core';
import {
  IntegrationConnectorInfoProvider,
  IntegrationSyncLog,
  IntegrationSynchronizations,
  SynchronousProcessingError,
} from '@syncbus/integration';
import { resetScripts, scriptOf } from '@syncbus-fixtures/scripted-connector';
import { Article, Category } from '../support/content-model';
import { tempSqliteUrl } from '../support/temp-sqlite';
import { bootIntegrationNode, until } from './integration-node';

describe('synchronous integration processing (SQLite)', () => {
  let kernel: Kernel;
  beforeEach(() => resetScripts());
  afterEach(() => kernel.stop());

  const articles = () => kernel.get(Storage).dataSource.getRepository(Article);
  const alphaHistory = async () => {
    const info = await kernel.get(IntegrationConnectorInfoProvider).getIntegrationConnectorInfo('alpha');
    return kernel.get(IntegrationSyncLog).entries(info!.connectorId);
  };

  it('calls the connector inside the change: OK goes through, Error (or a throw, or a hang) aborts the change', async () => {
    scriptOf('alpha').subscriptions = [{ objectType: 'cms.article', processType: 'sync' }];
    scriptOf('alpha').steps = { 'bad-1': ['Error'], 'throw-1': ['throw'], 'hang-1': ['hang'] };
    kernel = await bootIntegrationNode({
      url: tempSqliteUrl('integration-sync'),
      integration: { callTimeoutMs: 300 },
    });

    await articles().save({ guid: 'ok-1', title: 'Fine' });
    expect(scriptOf('alpha').received).toEqual([
      expect.objectContaining({ mode: 'sync', taskId: 0, objectGuid: 'ok-1', processType: 'sync' }),
    ]);
    expect(await kernel.get(IntegrationSynchronizations).list('alpha')).toEqual([]);

    const error = await articles()
      .save({ guid: 'bad-1', title: 'Refused' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SynchronousProcessingError);
    expect((error as Error).message).toBe(
      "Connector 'alpha' refused the change of cms.article 'bad-1' synchronously, so the change was not saved: " +
        'scripted Error for bad-1. Fix the cause in the external system, or subscribe asynchronously.',
    );
    await expect(articles().save({ guid: 'throw-1', title: 'Throws' })).rejects.toThrow(
      'alpha.processTaskInChange threw: scripted failure for throw-1',
    );
    const started = Date.now();
    await expect(articles().save({ guid: 'hang-1', title: 'Hangs' })).rejects.toThrow(
      'timed out after 300 ms',
    );
    expect(Date.now() - started).toBeLessThan(2000);

    // nothing of the aborted changes was kept: no rows, and no tasks for the asynchronous connector either
    expect((await articles().find()).map((a) => a.guid)).toEqual(['ok-1']);
    await until(() => scriptOf('beta').received.length === 1, 'beta to process the one saved change');
    expect(scriptOf('beta').received.map((r) => r.objectGuid)).toEqual(['ok-1']);
    // the errors stay in the history although their changes rolled back
    const history = await until(async () => {
      const entries = await alphaHistory();
      return entries.length === 3 ? entries : undefined;
    }, 'three history entries');
    expect(history.map((h) => [h.objectGuid, h.result, h.taskId])).toEqual([
      ['bad-1', 'Error', 0],
      ['throw-1', 'Error', 0],
      ['hang-1', 'Error', 0],
    ]);
  });

  it('ErrorAndSkip is recorded and the change goes on; SkipNow queues the task for the processor', async () => {
    scriptOf('alpha').subscriptions = [{ objectType: '*', processType: 'sync' }];
    scriptOf('alpha').steps = { 'skip-1': ['ErrorAndSkip'], 'later-1': ['SkipNow', 'OK'] };
    kernel = await bootIntegrationNode({ url: tempSqliteUrl('integration-sync') });
    await articles().save({ guid: 'skip-1', title: 'Skipped' });
    await articles().save({ guid: 'later-1', title: 'Later' });
    expect((await articles().find({ order: { id: 'ASC' } })).map((a) => a.guid)).toEqual([
      'skip-1',
      'later-1',
    ]);
    const [entry] = await until(async () => {
      const entries = await alphaHistory();
      return entries.length === 1 ? entries : undefined;
    }, 'the ErrorAndSkip entry');
    expect(entry).toMatchObject({
      objectGuid: 'skip-1',
      result: 'ErrorAndSkip',
      error: 'scripted ErrorAndSkip for skip-1',
    });
    await until(() => scriptOf('alpha').received.length === 3, 'the queued task to be processed');
    expect(scriptOf('alpha').received.map((r) => `${r.objectGuid}:${r.mode}:${r.step}`)).toEqual([
      'skip-1:sync:ErrorAndSkip',
      'later-1:sync:SkipNow',
      'later-1:async:OK',
    ]);
  });

  it('when several subscriptions match, the highest-priority process type decides', async () => {
    scriptOf('alpha').subscriptions = [
      { objectType: '*' },
      { objectType: 'cms.article', processType: 'sync' },
      { objectType: 'cms.category', dataType: 'snapshot' },
      { objectType: 'cms.category', taskType: 'delete', processType: 'sync', dataType: 'snapshot' },
    ];
    kernel = await bootIntegrationNode({ url: tempSqliteUrl('integration-sync') });
    const categories = kernel.get(Storage).dataSource.getRepository(Category);
    const news = await categories.save({ code: 'news', name: 'News' });
    await articles().save({ guid: 'p-1', title: 'Priority', categoryId: news.id });
    await categories.remove(news);
    await until(() => scriptOf('alpha').received.length === 3, 'three tasks');
    expect(
      scriptOf('alpha')
        .received.map((r) => `${r.taskType} ${r.objectType} ${r.processType} ${r.dataType}`)
        .sort(),
    ).toEqual([
      'create cms.article sync simple',
      'create cms.category async snapshot',
      'delete cms.category sync snapshot',
    ]);
  });
});
