// Workload 4's peer: BullMQ at a steady rate; each job's enqueue-to-delivered time (receiver acked) is a sample.
import { Queue, Worker } from 'bullmq';
import type { ChildRole } from '../harness/child-channel';
import { benchTask } from './bench-payloads';
import { BULLMQ_JOB_OPTIONS } from './bullmq-drain';
import { requestBody, SignedPoster } from './signed-post';
import { steadyRate } from '../harness/steady-rate';

/** Config of the BullMQ latency role. */
export interface BullmqLatencyConfig {
  readonly url: string;
  readonly secretEnv: string;
  readonly ratePerSecond: number;
  readonly seconds: number;
  readonly run: string;
  readonly queueName: string;
  readonly redis: { readonly host: string; readonly port: number };
}

export const bullmqLatencyRole: ChildRole = async (config: BullmqLatencyConfig, channel) => {
  const connection = { ...config.redis, maxRetriesPerRequest: null };
  const total = config.ratePerSecond * config.seconds;
  const latencies = new Float64Array(total);
  const enqueuedAt = new Float64Array(total);
  const queue = new Queue(config.queueName, { connection });
  const poster = new SignedPoster(config.url, process.env[config.secretEnv]!);
  let delivered = 0;
  let allDelivered!: () => void;
  let failed!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => ((allDelivered = resolve), (failed = reject)));
  const worker = new Worker(
    config.queueName,
    async (job) => {
      await poster.postAndCheck(requestBody('bench-bullmq', [JSON.stringify(job.data.task)]), 1);
      latencies[job.data.i] = performance.now() - enqueuedAt[job.data.i];
      if (++delivered === total) allDelivered();
    },
    { connection, concurrency: 16 },
  );
  worker.on('failed', (_job, error) => failed(error));
  try {
    await worker.waitUntilReady();
    await queue.waitUntilReady();
    channel.ready();
    await channel.nextGo();
    await steadyRate(config.ratePerSecond, total, async (i) => {
      enqueuedAt[i] = performance.now();
      await queue.add('task', { i, task: benchTask(i, config.run) }, BULLMQ_JOB_OPTIONS);
    });
    await done;
    return { latencies };
  } finally {
    await worker.close();
    poster.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
};
