// Contender (b): what a user would otherwise pick. BullMQ 6 on the machine's Redis; the pending tasks are jobs,
// a worker with concurrency 16 posts each job to the receiver. A unique queue per run, obliterated after.
import { Queue, Worker } from 'bullmq';
import type { ChildRole } from '../harness/child-channel';
import { benchTask } from './bench-payloads';
import { requestBody, SignedPoster } from './signed-post';

/** Config of the BullMQ drain role. */
export interface BullmqDrainConfig {
  readonly url: string;
  readonly secretEnv: string;
  readonly tasks: number;
  readonly run: string;
  readonly queueName: string;
  readonly redis: { readonly host: string; readonly port: number };
}

/** Jobs keep nothing after completion, the setting a throughput-minded user would choose. */
export const BULLMQ_JOB_OPTIONS = { removeOnComplete: true, removeOnFail: 1000 } as const;

export const bullmqDrainRole: ChildRole = async (config: BullmqDrainConfig, channel) => {
  const connection = { ...config.redis, maxRetriesPerRequest: null };
  const queue = new Queue(config.queueName, { connection });
  try {
    for (let from = 0; from < config.tasks; from += 1000) {
      const jobs = [];
      for (let i = from; i < Math.min(config.tasks, from + 1000); i++) {
        jobs.push({ name: 'task', data: benchTask(i, config.run), opts: BULLMQ_JOB_OPTIONS });
      }
      await queue.addBulk(jobs);
    }
    const poster = new SignedPoster(config.url, process.env[config.secretEnv]!);
    channel.ready();
    await channel.nextGo();

    const started = performance.now();
    let delivered = 0;
    let failure: Error | undefined;
    const finished = new Promise<void>((resolve, reject) => {
      const worker = new Worker(
        config.queueName,
        async (job) => {
          await poster.postAndCheck(requestBody('bench-bullmq', [JSON.stringify(job.data)]), 1);
        },
        { connection, concurrency: 16, autorun: true },
      );
      worker.on('completed', () => {
        if (++delivered === config.tasks) void worker.close().then(resolve, reject);
      });
      worker.on('failed', (_job, error) => {
        failure ??= error;
        void worker.close().then(() => reject(failure), reject);
      });
    });
    await finished;
    const ms = performance.now() - started;
    poster.close();
    return { delivered, ms, left: config.tasks - delivered };
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
};
