// /metrics serves the node's counters and queue gauges in the Prometheus text format.
import { Kernel, createLogger } from '@syncbus/core';
import { newLeaseOwner, thisProcess, type LeaseQueue } from '@syncbus/core/internal';
import { NodeMetrics } from '@syncbus/server/internal';
import { ServerModule, SyncbusHttpServer } from '@syncbus/server';
import { StagingModule, StagingTaskRunnerFactory } from '@syncbus/staging';
import { StagingQueue } from '@syncbus/staging/internal';
import { Article } from '../support/content-model';
import { captureLogger } from '../support/captured-logger';
import {
  bootStagingNode,
  createTestSecret,
  startStagingPair,
  type StagingPair,
} from '../support/staging-nodes';
import { tempSqliteUrl } from '../support/temp-sqlite';

describe('/metrics', () => {
  let pair: StagingPair;
  beforeAll(async () => {
    pair = await startStagingPair();
  });
  afterAll(() => pair.stop());

  it('counts tasks logged on the source, waiting per server, and applied with latency on the target', async () => {
    const repository = pair.source.storage.dataSource.getRepository(Article);
    await repository.save({ guid: 'm-1', title: 'One' });
    await repository.save({ guid: 'm-2', title: 'Two' });

    // The source serves no HTTP in this pair; read its registry directly, then the target over HTTP.
    const sourceText = await pair.source.kernel.get(NodeMetrics).registry.metrics();
    expect(sourceText).toMatch(/syncbus_staging_tasks_logged_total\{object_type="cms.article"\} 2/);
    expect(sourceText).toMatch(/syncbus_staging_synchronizations\{server="target",status="pending"\} 2/);

    await pair.source.kernel.get(StagingTaskRunnerFactory).create(pair.server.id).runSynchronization();
    const response = await fetch(`${pair.target.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const targetText = await response.text();
    expect(targetText).toMatch(/syncbus_staging_tasks_applied_total\{source="source"\} 2/);
    expect(targetText).toMatch(/syncbus_staging_latency_seconds_count\{source="source"\} 2/);
    const after = await pair.source.kernel.get(NodeMetrics).registry.metrics();
    expect(after).not.toMatch(/syncbus_staging_synchronizations\{server="target"/);
  });

  it('says what this process is: role, wake-up connection, and the leases it holds now', async () => {
    const metrics = () => pair.source.kernel.get(NodeMetrics).registry.metrics();
    const process = thisProcess().replace(/[.]/g, '\\.');
    expect(await metrics()).toMatch(
      new RegExp(`syncbus_process_info\\{role="all",process="${process}"\\} 1`),
    );
    expect(await metrics()).toMatch(/syncbus_wakeup_connection\{state="unused"\} 1/);
    await pair.source.storage.dataSource.getRepository(Article).save([
      { guid: 'l-1', title: 'One' },
      { guid: 'l-2', title: 'Two' },
    ]);
    const queue = pair.source.kernel.get<LeaseQueue>(StagingQueue);
    const owner = newLeaseOwner();
    expect(await queue.claim({ targetId: pair.server.id, owner, limit: 10, leaseMs: 60_000 })).toHaveLength(
      2,
    );
    expect(await metrics()).toMatch(/syncbus_staging_leases_held 2/);
    await queue.releaseAll(owner);
    expect(await metrics()).toMatch(/syncbus_staging_leases_held 0/);
  });
});

describe('/metrics behind http.metricsToken', () => {
  const token = createTestSecret();
  let kernel: Kernel;
  let url: string;
  beforeAll(async () => {
    kernel = await Kernel.boot({
      config: {
        database: { url: tempSqliteUrl('metrics-token') },
        http: { port: 0, metricsToken: token.ref },
      },
      modules: [StagingModule, ServerModule],
      logger: createLogger({ level: 'silent' }),
    });
    url = `${kernel.get(SyncbusHttpServer).url}/metrics`;
  });
  afterAll(() => kernel.stop());

  it('answers 401 without the token or with a wrong one, and the metrics with it', async () => {
    const without = await fetch(url);
    expect(without.status).toBe(401);
    expect(await without.json()).toMatchObject({ error: 'UNAUTHORIZED' });
    const wrong = await fetch(url, { headers: { authorization: `Bearer ${token.value}x` } });
    expect(wrong.status).toBe(401);
    const right = await fetch(url, { headers: { authorization: `Bearer ${token.value}` } });
    expect(right.status).toBe(200);
    expect(await right.text()).toMatch(/syncbus_staging_tasks_logged_total/);
  });
});

describe('refused requests', () => {
  it('are all counted in /metrics, and logged once per reason per minute', async () => {
    const log = captureLogger('warn');
    const node = await bootStagingNode({
      name: 'target',
      acceptFrom: [{ server: 'source', secret: createTestSecret() }],
      logger: log.logger,
    });
    try {
      const refused = () =>
        fetch(`${node.url}/syncbus/staging/v1/tasks`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-syncbus-timestamp': String(Math.floor(Date.now() / 1000)),
            'x-syncbus-signature': `v1=${'0'.repeat(64)}`,
          },
          body: JSON.stringify({ protocol: 1, source: { server: 'source' }, tasks: [] }),
        }).then((r) => r.status);
      for (let i = 0; i < 30; i++) expect(await refused()).toBe(401);
      const text = await (await fetch(`${node.url}/metrics`)).text();
      expect(text).toMatch(
        /syncbus_http_requests_refused_total\{route="\/syncbus\/staging\/v1\/tasks",status="401"\} 30/,
      );
      expect(log.lines.filter((l) => l.msg === 'staging request refused')).toHaveLength(1);
    } finally {
      await node.stop();
    }
  });
});
