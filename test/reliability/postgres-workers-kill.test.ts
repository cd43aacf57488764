// Three worker processes of one source on PostgreSQL drain the same backlog while one of them is killed with SIGKILL
// again and again (with leases in hand, or after some tasks applied) and restarted: the leases keep the workers off
// each other's objects, the dead worker's rows come back when its leases expire, and the target's database ends up
// with every task applied once, in logged order per article.
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { createTestSecret, resetPostgresSchema } from '../support/staging-nodes';
import { until } from '../support/until';
import type { ChaosHostOptions } from './chaos-host';
import {
  assertHostBuilt,
  chaosPlan,
  ChaosFigures,
  Cleanup,
  judge,
  LedgerWatch,
  openSqlite,
  postgresSourceDb,
  probePostgres,
  Random,
  runSeed,
  startNode,
  startProxy,
  targetOptions,
  tempDir,
  waitDrained,
  withReplayHint,
  writeBacklog,
  type ChaosNode,
} from './chaos-support';

const plan = chaosPlan('postgres-workers-kill', 1);
const postgres = probePostgres();
const describeWithPostgres = postgres.reachable ? describe : describe.skip;
const WORKERS = 3;
const KILLS = 4;
const LEASE_MS = 2000;
const POINTS = ['holding-leases', 'applied'] as const;
type KillPoint = (typeof POINTS)[number];

describeWithPostgres(
  `three PostgreSQL workers draining one backlog, one killed again and again${postgres.reachable ? '' : ` (skipped: PostgreSQL unreachable: ${postgres.reason})`}`,
  () => {
    let database: TestDatabase | undefined;
    const cleanup = new Cleanup();
    const figures = new ChaosFigures();
    const points: Record<KillPoint | 'idle', number> = { 'holding-leases': 0, applied: 0, idle: 0 };
    const orphanedRows: number[] = [];
    let duplicates = 0;
    let maxOwners = 0;

    beforeAll(async () => {
      assertHostBuilt();
      database = await createTestDatabase('chaos_workers');
      if (!database) throw new Error('PostgreSQL answered the probe but no test database could be created');
    });
    afterEach(() => cleanup.run());
    afterAll(async () => {
      await database?.drop();
      console.log(
        figures.line(plan, {
          workers: WORKERS,
          leaseMs: LEASE_MS,
          points: Object.entries(points)
            .map(([point, n]) => `${point}:${n}`)
            .join(','),
          orphanedRows: orphanedRows.reduce((a, b) => a + b, 0),
          maxWorkersHoldingLeases: maxOwners,
          redeliveredDuplicates: duplicates,
        }),
      );
    });

    for (let run = 0; run < plan.runs; run++) {
      const seed = runSeed(plan, run);
      it(
        `run ${run + 1}/${plan.runs} (seed ${seed}): nothing lost, nothing applied twice, order per article kept`,
        () =>
          withReplayHint(plan, seed, async () => {
            figures.runs += 1;
            figures.failedRuns += 1;
            const random = new Random(seed);
            const dir = tempDir(cleanup, 'pg-workers');
            const secret = createTestSecret();
            cleanup.add(() => delete process.env[secret.variable]);
            const targetUrl = `sqlite:${join(dir, 'target.sqlite')}`;
            const sourceUrl = database!.url;
            await resetPostgresSchema(sourceUrl);

            const target = await startNode(cleanup, 'target', targetOptions(targetUrl, secret));
            const proxy = await startProxy(cleanup, target.url);
            // A slower way to the target: the backlog lasts for every kill, with three workers taking batches.
            proxy.delayMs = 100;
            const expected = await writeBacklog(random, {
              databaseUrl: sourceUrl,
              servers: [{ name: 'target', url: proxy.url, secret }],
              objects: 200,
              changes: [1, 5],
            });
            const ledger = new LedgerWatch(cleanup, openSqlite(cleanup, targetUrl), []);
            const sourceDb = await postgresSourceDb(cleanup, sourceUrl);
            const options: ChaosHostOptions = {
              role: 'source',
              nodeName: 'source',
              databaseUrl: sourceUrl,
              poolSize: 4,
              servers: [{ name: 'target', url: proxy.url, secret: secret.ref }],
              staging: {
                batchSize: random.pick([5, 10, 20]),
                leaseMs: LEASE_MS,
                requestTimeoutMs: 10_000,
                retry: { maxAttempts: 100, baseDelayMs: 100, maxDelayMs: 500 },
              },
              stagingAutoSync: {
                maxInFlight: 1,
                pollIntervalMs: 200,
                backoff: { baseDelayMs: 100, maxDelayMs: 500 },
              },
            };
            const workers: ChaosNode[] = await Promise.all(
              Array.from({ length: WORKERS }, (_, i) => startNode(cleanup, `worker ${i + 1}`, options)),
            );
            const victimIndex = random.int(0, WORKERS - 1);
            /** Rows a worker process holds leases on now (its lease owner is `host:pid:…`). */
            const leasedBy = (pid: number) =>
              sourceDb.query<{ id: string }>(
                'SELECT id FROM staging_synchronization WHERE lease_owner LIKE $1',
                [`%:${pid}:%`],
              );
            /** How many of the running workers hold leases now (the others' leases may linger until they expire). */
            const busyWorkers = async () => {
              const rows = await sourceDb.query<{ lease_owner: string }>(
                'SELECT DISTINCT lease_owner FROM staging_synchronization WHERE lease_owner IS NOT NULL',
              );
              return workers.filter((w) => rows.some((r) => r.lease_owner.includes(`:${w.pid}:`))).length;
            };

            // The rows each dead worker held, watched until they are delivered: how long a crash holds objects up.
            const orphaned = new Set<{ ids: number[]; since: number }>();
            const heldUpMs: number[] = [];
            let checking = false;
            const watch = setInterval(() => {
              if (checking || orphaned.size === 0) return;
              checking = true;
              void (async () => {
                for (const entry of [...orphaned]) {
                  const [left] = await sourceDb.query<{ n: string }>(
                    'SELECT COUNT(*) AS n FROM staging_synchronization WHERE id = ANY($1::bigint[])',
                    [entry.ids],
                  );
                  if (Number(left.n) > 0) continue;
                  heldUpMs.push(Date.now() - entry.since);
                  orphaned.delete(entry);
                }
              })()
                .catch(() => undefined)
                .finally(() => (checking = false));
            }, 20);
            cleanup.add(() => clearInterval(watch));

            for (let life = 1; life <= KILLS; life++) {
              const victim = workers[victimIndex];
              const point = random.pick(POINTS);
              const left = expected.length - ledger.count();
              const threshold =
                ledger.count() + random.int(1, Math.max(1, Math.floor(left / (KILLS - life + 2))));
              let fired: KillPoint | 'idle' | undefined;
              await until(
                async () => {
                  for (const worker of workers) worker.assertAlive();
                  maxOwners = Math.max(maxOwners, await busyWorkers());
                  if (point === 'holding-leases' && (await leasedBy(victim.pid)).length > 0) fired = point;
                  if (point === 'applied' && ledger.count() >= threshold) fired = point;
                  if (!fired && ledger.count() >= expected.length) fired = 'idle';
                  if (fired) void victim.kill('SIGKILL');
                  return fired !== undefined;
                },
                `the kill point of the victim's life ${life} (${point}, threshold ${threshold})`,
                30_000,
              );
              const killedAt = Date.now();
              expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });
              points[fired!] += 1;
              figures.kills += 1;
              // What it held is orphaned until its leases expire; then a survivor (or its next life) delivers it.
              const orphans = (await leasedBy(victim.pid)).map((r) => Number(r.id));
              if (orphans.length > 0) {
                orphanedRows.push(orphans.length);
                orphaned.add({ ids: orphans, since: killedAt });
              }
              workers[victimIndex] = await startNode(
                cleanup,
                `worker ${victimIndex + 1} (life ${life + 1})`,
                options,
              );
            }

            await waitDrained(sourceDb, 30_000, [...workers, target]);
            await until(() => orphaned.size === 0, "the dead workers' rows to be seen delivered", 2000);
            // A dead worker holds its objects up for its lease and a little more, not for ever.
            figures.recoveryMs.push(...heldUpMs);
            expect(Math.max(0, ...heldUpMs)).toBeLessThan(LEASE_MS + 8000);
            for (const worker of workers)
              expect(await worker.kill('SIGTERM')).toEqual({ code: 0, signal: null });
            expect(await target.kill('SIGTERM')).toEqual({ code: 0, signal: null });

            const verdict = judge(openSqlite(cleanup, targetUrl), expected, await sourceDb.articles());
            figures.add(verdict);
            duplicates += proxy.outcomes.duplicate ?? 0;
            expect({ ...verdict, problems: verdict.problems.slice(0, 20) }).toEqual({
              tasks: expected.length,
              lost: 0,
              twice: 0,
              outOfOrder: 0,
              problems: [],
            });
            figures.failedRuns -= 1;
          }),
        90_000,
      );
    }
  },
);
