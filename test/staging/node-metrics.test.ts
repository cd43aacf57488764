// /metrics serves the node's counters and queue gauges in the Prometheus text format.
import { NodeMetrics } from '@syncbus/server';
import { StagingTaskRunnerFactory } from '@syncbus/staging';
import { Article } from '../support/content-model';
import { startStagingPair, type StagingPair } from '../support/staging-nodes';

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
});
