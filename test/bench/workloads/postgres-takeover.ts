// Workload 6's takeover figure: a worker process is SIGKILLed while it holds leases on a batch in flight, and the
// time until another worker process has delivered those rows (gone from the queue) is set against the lease.
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import type { BenchChild } from '../harness/bench-child';
import type { BenchContext } from '../harness/bench-context';
import { withPostgresDatabase } from '../harness/postgres-database';
import { REPO_ROOT, WORKER_POLL_MS } from './autosync-workload';
import type { ReceiverStats } from './drain-contenders';
import { syncbusTarget } from './drain-workload';

/** `staging.leaseMs` of the workers: a few seconds, as docs/scaling.md says a lease can be (the minimum is 1 s). */
export const TAKEOVER_LEASE_MS = 3000;

/** One kill and its takeover. */
export interface TakeoverMeasurement {
  /** From the SIGKILL until no row the killed worker leased is left in the queue. */
  readonly ms: number;
  /** What the killed worker's leases still had to run at the kill (its last claim or heartbeat, plus the lease). */
  readonly leaseLeftMs: number;
  /** Rows the killed worker held. */
  readonly rows: number;
  /** Rows left in the queue once they were delivered: 0 means the survivor had run dry and waited for the lease. */
  readonly backlogLeft: number;
}

/** How often the benchmark looks at the queue: the takeover is timed to a few ms (its look probes primary keys). */
const POLL_MS = 5;

/** Ids of the rows process `pid` leases now (every lease owner is `<host>:<pid>:<claimer>`), with their expiry. */
async function leasedBy(client: Client, pid: number) {
  const { rows } = await client.query<{ id: string; expires: string }>(
    'SELECT id, lease_expires_at AS expires FROM staging_synchronization WHERE lease_owner LIKE $1',
    [`%:${pid}:%`],
  );
  return rows.map((r) => ({ id: Number(r.id), expires: Number(r.expires) }));
}

/** Looks every `everyMs` until `look` answers something, and returns that; fails with `what` after `timeoutMs`. */
async function pollFor<T>(
  look: () => Promise<T | undefined>,
  what: string,
  timeoutMs: number,
  everyMs = POLL_MS,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = await look();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`no sign of ${what} within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** The first of `workers` that holds leases now (every lease owner is `<host>:<pid>:<claimer>`). */
async function leaseHolder(client: Client, workers: readonly BenchChild[]) {
  const { rows } = await client.query<{ owner: string }>(
    'SELECT DISTINCT lease_owner AS owner FROM staging_synchronization WHERE lease_owner IS NOT NULL',
  );
  return workers.find((w) => rows.some((r) => r.owner.includes(`:${w.pid}:`)));
}

/**
 * Kills with SIGKILL the first of the `live` workers seen holding leases, and returns when, and what it left
 * leased; `live` keeps the others. A victim that settled its batch in the moment between the look and the kill
 * left nothing: a fresh worker takes its place and the next holder is tried.
 */
async function killWorkerHoldingLeases(
  client: Client,
  live: BenchChild[],
  startWorker: () => Promise<BenchChild>,
) {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const victim = await pollFor(() => leaseHolder(client, live), 'a worker holding leases', 30_000);
    victim.kill();
    const at = Date.now();
    live.splice(live.indexOf(victim), 1);
    await victim.outcome.catch(() => undefined); // settles once the process has exited
    // A commit the worker sent just before it died still lands: read what it holds once that has had time to.
    await sleep(100);
    const held = await leasedBy(client, victim.pid);
    if (held.length > 0) return { at, held };
    live.push(await startWorker());
  }
  throw new Error('three victims settled their batch just before the kill; there was no takeover to time');
}

/** One round on a fresh database: a target, a backlog, two workers draining it, then the kill of one. */
export async function measureTakeover(
  ctx: BenchContext,
  databaseUrl: string,
  tasks: number,
): Promise<TakeoverMeasurement> {
  const receiver = syncbusTarget(ctx);
  const target = await ctx.start<{ url: string }, ReceiverStats>(receiver.role, receiver.config);
  const workers: BenchChild[] = [];
  const client = new Client({ connectionString: databaseUrl });
  try {
    const targetUrl = target.ready.url;
    const common = { databaseUrl, targetUrl, secretEnv: ctx.secretEnv };
    await ctx.run('syncbus-fill', { ...common, targetUrls: [targetUrl], tasks, run: ctx.runId });
    await client.connect();
    // Workers as `syncbus start --role worker` runs them: the auto-sync plugin's loops, which sleep until the next
    // due time (a lease's expiry among them); the poll is far off, so it is not what wakes the survivor.
    const worker = async () => {
      const config = {
        ...common,
        baseDir: REPO_ROOT,
        pollIntervalMs: WORKER_POLL_MS,
        leaseMs: TAKEOVER_LEASE_MS,
      };
      const { child } = await ctx.start('syncbus-autosync-worker', config);
      workers.push(child);
      return child;
    };
    // Started together, so both are draining when one is killed.
    const live = await Promise.all([worker(), worker()]);
    const killed = await killWorkerHoldingLeases(client, live, worker);
    const ids = killed.held.map((r) => r.id);
    const deliveredAt = await pollFor(
      async () => {
        // The query sees the queue as it was when it started: the rows were gone by then.
        const lookedAt = Date.now();
        const { rows } = await client.query<{ n: string }>(
          'SELECT COUNT(*) AS n FROM staging_synchronization WHERE id = ANY($1::bigint[])',
          [ids],
        );
        return Number(rows[0].n) === 0 ? lookedAt : undefined;
      },
      "the killed worker's rows delivered",
      10 * TAKEOVER_LEASE_MS,
    );
    const { rows } = await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM staging_synchronization');
    const backlogLeft = Number(rows[0].n);
    // The rest of the backlog too, and the target must hold every task once, or the figure is not believed.
    const empty = async () =>
      (await client.query('SELECT 1 FROM staging_synchronization LIMIT 1')).rows.length === 0 || undefined;
    await pollFor(empty, 'the rest of the backlog drained', 300_000, 50);
    await Promise.all(live.map((child) => child.stop()));
    const received = await target.child.stop();
    if (received.value.applied !== tasks) {
      throw new Error(`the target applied ${received.value.applied} of ${tasks} tasks after the takeover`);
    }
    return {
      ms: deliveredAt - killed.at,
      leaseLeftMs: Math.max(...killed.held.map((r) => r.expires)) - killed.at,
      rows: ids.length,
      backlogLeft,
    };
  } finally {
    await client.end().catch(() => undefined);
    await Promise.all([...workers, target.child].map((child) => child.dispose()));
  }
}

/** Runs the takeover rounds and records their figures and goal. */
export async function takeoverFigures(ctx: BenchContext): Promise<void> {
  const { report, sizes } = ctx;
  const rounds: TakeoverMeasurement[] = [];
  for (let round = 0; round < ctx.rounds; round++) {
    const started = Date.now();
    rounds.push(
      await withPostgresDatabase(ctx, (url) => measureTakeover(ctx, url, sizes.postgresTakeoverTasks)),
    );
    const last = rounds[rounds.length - 1];
    console.error(
      `  takeover: round ${round + 1}/${ctx.rounds} done in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
        `(${last.rows} rows, ${last.ms} ms, lease had ${last.leaseLeftMs} ms left, ${last.backlogLeft} rows left)`,
    );
  }
  const lease = TAKEOVER_LEASE_MS.toLocaleString('en-US');
  const backlog = `${sizes.postgresTakeoverTasks.toLocaleString('en-US')}-task backlog, 2 workers, 1 target`;
  const ms = report.figure(
    'pg.takeover',
    'postgres',
    'takeover: SIGKILL of a worker holding leases to its rows delivered by the other ' +
      `(${backlog}, lease ${lease} ms)`,
    'ms',
    rounds.map((r) => r.ms),
  );
  report.figure(
    'pg.takeover.leaseLeft',
    'postgres',
    "takeover: what the killed worker's leases still had to run at the kill",
    'ms',
    rounds.map((r) => r.leaseLeftMs),
  );
  report.figure(
    'pg.takeover.rows',
    'postgres',
    'takeover: rows the killed worker held',
    'rows',
    rounds.map((r) => r.rows),
  );
  report.figure(
    'pg.takeover.backlogLeft',
    'postgres',
    'takeover: rows still queued once they were delivered (0: the survivor had run dry)',
    'rows',
    rounds.map((r) => r.backlogLeft),
  );
  const ratio = ms / TAKEOVER_LEASE_MS;
  report.goal(
    "takeover: a SIGKILLed worker's leased rows delivered by another worker within 1.5x the lease",
    '<= 1.5x lease',
    `${Math.round(ms).toLocaleString('en-US')} ms = ${ratio.toFixed(2)}x the ${lease} ms lease`,
    ratio <= 1.5,
  );
}
