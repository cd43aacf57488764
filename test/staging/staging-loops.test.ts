// Two servers that stage to each other: received changes are logged on only when asked, never back to a server
// of their origin chain, so nothing ping-pongs.
import {
  ServerInfoProvider,
  StagingTask,
  StagingTaskRunner,
  SynchronizationInfoProvider,
} from '@syncbus/staging';
import { Category } from '../support/content-model';
import { bootStagingNode, createTestSecret, type StagingNode } from '../support/staging-nodes';

describe('staging between two servers that stage to each other', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  /** `alpha` and `beta` accept each other; beta also stages to `gamma` (nobody listens there). */
  const boot = async (logReceivedChanges: boolean) => {
    const toBeta = createTestSecret();
    const toAlpha = createTestSecret();
    const staging = { logReceivedChanges };
    const alpha = await bootStagingNode({
      name: 'alpha',
      acceptFrom: [{ server: 'beta', secret: toAlpha }],
      staging,
    });
    stops.push(alpha.stop);
    const beta = await bootStagingNode({
      name: 'beta',
      acceptFrom: [{ server: 'alpha', secret: toBeta }],
      staging,
      servers: [
        { name: 'alpha', url: alpha.url!, secret: toAlpha },
        { name: 'gamma', url: 'http://127.0.0.1:9', secret: toAlpha },
      ],
    });
    stops.push(beta.stop);
    await alpha.kernel
      .get(ServerInfoProvider)
      .addServer({ name: 'beta', url: beta.url!, secret: toBeta.ref });
    return { alpha, beta };
  };
  const send = async (from: StagingNode, to: string) => {
    const server = (await from.kernel.get(ServerInfoProvider).getServer(to))!;
    return new StagingTaskRunner(server.id, from.kernel).runSynchronization();
  };
  const tasks = (node: StagingNode) =>
    node.storage.dataSource.getRepository(StagingTask).find({ order: { id: 'ASC' } });
  const serversOf = async (node: StagingNode, task: StagingTask) => {
    const ids = await node.kernel.get(SynchronizationInfoProvider).getServerIdsForTask(task.id);
    const servers = await node.kernel.get(ServerInfoProvider).getServers();
    return servers.filter((s) => ids.includes(s.id)).map((s) => s.name);
  };

  it('by default a received change is applied and not logged again', async () => {
    const { alpha, beta } = await boot(false);
    await alpha.storage.dataSource.getRepository(Category).save({ code: 'news', name: 'News' });
    expect(await send(alpha, 'beta')).toMatchObject({ applied: 1 });
    expect(await beta.storage.dataSource.getRepository(Category).countBy({ code: 'news' })).toBe(1);
    expect(await tasks(beta)).toEqual([]);
  });

  it('with logReceivedChanges, a received change goes on to other servers with its origin chain, never back', async () => {
    const { alpha, beta } = await boot(true);
    await alpha.storage.dataSource.getRepository(Category).save({ code: 'news', name: 'News' });
    expect(await send(alpha, 'beta')).toMatchObject({ applied: 1 });

    const [forwarded] = await tasks(beta);
    expect(forwarded).toMatchObject({ taskType: 'create', objectGuid: 'news', origin: ['alpha'] });
    expect(await serversOf(beta, forwarded)).toEqual(['gamma']);

    // A change made on beta itself goes to both; alpha applies it and logs nothing back (beta is in its origin).
    const category = await beta.storage.dataSource.getRepository(Category).findOneByOrFail({ code: 'news' });
    category.name = 'News from beta';
    await beta.storage.dataSource.getRepository(Category).save(category);
    const own = (await tasks(beta)).find((t) => t.taskType === 'update')!;
    expect(own.origin).toEqual([]);
    expect((await serversOf(beta, own)).sort()).toEqual(['alpha', 'gamma']);
    expect(await send(beta, 'alpha')).toMatchObject({ applied: 1 });
    expect(
      await alpha.storage.dataSource.getRepository(Category).findOneByOrFail({ code: 'news' }),
    ).toMatchObject({
      name: 'News from beta',
    });
    expect(await tasks(alpha)).toEqual([]);
  });
});
