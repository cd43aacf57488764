// The PostgreSQL connections of a draining source terminated from the server side (`pg_terminate_backend`) again and
// again, at seeded points (a batch on the wire, a statement or transaction open, after some tasks applied): the same
// node process must keep running, reconnect and deliver every task once, in logged order per article.
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
} from './chaos-support';

const plan = chaosPlan('postgres-backend-terminate', 1);
const postgres = probePostgres();
const describeWithPostgres = postgres.reachable ? describe : describe.skip;
const TERMINATIONS = 5;
const POINTS = ['on-wire', 'in-statement', 'applied'] as const;
type Point = (typeof POINTS)[number];

describeWithPostgres(
  `a source whose PostgreSQL backends are terminated mid-drain${postgres.reachable ? '' : ` (skipped: PostgreSQL unreachable: ${postgres.reason})`}`,
  () => {
    let database: TestDatabase | undefined;
    const cleanup = new Cleanup();
    const figures = new ChaosFigures();
    const points: Record<Point | 'idle', number> = { 'on-wire': 0, 'in-statement': 0, applied: 0, idle: 0 };
    let backends = 0;
    let duplicates = 0;

    beforeAll(async () => {
      assertHostBuilt();
      database = await createTestDatabase('chaos_terminate');
      if (!database) throw new Error('PostgreSQL answered the probe but no test database could be created');
    });
    afterEach(() => cleanup.run());
    afterAll(async () => {
      await database?.drop();
      console.log(
        figures.line(plan, {
          terminations: figures.kills,
          backendsTerminated: backends,
          points: Object.entries(points)
            .map(([point, n]) => `${point}:${n}`)
            .join(','),
          redeliveredDuplicates: duplicates,
        }),
      );
    });

    for (let run = 0; run < plan.runs; run++) {
      const seed = runSeed(plan, run);
      it(
        `run ${run + 1}/${plan.runs} (seed ${seed}): the node recovers by itself and delivers every task once, in order`,
        () =>
          withReplayHint(plan, seed, async () => {
            figures.runs += 1;
            figures.failedRuns += 1;
            const random = new Random(seed);
            const dir = tempDir(cleanup, 'pg-terminate');
            const secret = createTestSecret();
            cleanup.add(() => delete process.env[secret.variable]);
            const targetUrl = `sqlite:${join(dir, 'target.sqlite')}`;
            const sourceUrl = database!.url;
            await resetPostgresSchema(sourceUrl);

            const target = await startNode(cleanup, 'target', targetOptions(targetUrl, secret));
            const proxy = await startProxy(cleanup, target.url);
            const expected = await writeBacklog(random, {
              databaseUrl: sourceUrl,
              servers: [{ name: 'target', url: proxy.url, secret }],
              objects: 150,
              changes: [1, 5],
            });
            const ledger = new LedgerWatch(cleanup, openSqlite(cleanup, targetUrl), figures.recoveryMs);
            // The test's one connection to the source's database; every other backend there is the node's.
            const sourceDb = await postgresSourceDb(cleanup, sourceUrl);
            const terminate = async (states?: readonly string[]) => {
              const rows = await sourceDb.query<{ pid: number }>(
                `SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity
                  WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
                    ${states ? 'AND state = ANY($1)' : ''}`,
                states ? [states] : [],
              );
              backends += rows.length;
              return rows.length;
            };
            const options: ChaosHostOptions = {
              role: 'source',
              nodeName: 'source',
              databaseUrl: sourceUrl,
              poolSize: 4,
              servers: [{ name: 'target', url: proxy.url, secret: secret.ref }],
              staging: {
                batchSize: random.pick([10, 20, 33]),
                leaseMs: 1000,
                requestTimeoutMs: 10_000,
                retry: { maxAttempts: 100, baseDelayMs: 100, maxDelayMs: 500 },
              },
              stagingAutoSync: {
                maxInFlight: random.int(1, 2),
                pollIntervalMs: 200,
                backoff: { baseDelayMs: 100, maxDelayMs: 500 },
              },
            };
            const source = await startNode(cleanup, 'source', options);

            for (let round = 1; round <= TERMINATIONS; round++) {
              const point = random.pick(POINTS);
              const request = proxy.requests + random.int(1, 3);
              const left = expected.length - ledger.count();
              const threshold =
                ledger.count() + random.int(1, Math.max(1, Math.floor(left / (TERMINATIONS - round + 2))));
              let fired: Point | 'idle' | undefined;
              let terminating: Promise<number> | undefined;
              const fire = (why: Point | 'idle', states?: readonly string[]) => {
                if (fired) return;
                fired = why;
                terminating = terminate(states);
              };
              // On the wire: the node will record the answer on connections that are gone.
              if (point === 'on-wire') proxy.onForward = (n) => n === request && fire(point);
              await until(
                async () => {
                  source.assertAlive();
                  if (point === 'applied' && ledger.count() >= threshold) fire(point);
                  // In a statement or a transaction: a claim, a completion or a heartbeat is cut off halfway.
                  if (point === 'in-statement') {
                    const busy = await sourceDb.query<{ n: string }>(
                      `SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database()
                        AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')`,
                    );
                    if (Number(busy[0].n) > 0) fire(point, ['active', 'idle in transaction']);
                  }
                  if (ledger.count() >= expected.length) fire('idle');
                  return fired !== undefined;
                },
                `termination point ${round} (${point}, request ${request}, threshold ${threshold})`,
                30_000,
              );
              const terminatedAt = Date.now();
              await terminating;
              proxy.onForward = undefined;
              points[fired!] += 1;
              figures.kills += 1;
              // A batch still at the target is applied whatever happened at the source: recovery counts what comes after.
              await until(() => proxy.inFlight === 0, 'the request at the target to be answered', 10_000);
              ledger.recoverFrom(terminatedAt);
              if (fired !== 'idle') {
                await until(
                  () => {
                    source.assertAlive();
                    return !ledger.recovering || ledger.count() >= expected.length;
                  },
                  'the node to deliver again after its backends were terminated',
                  20_000,
                );
              }
            }

            await waitDrained(sourceDb, 30_000, [source, target]);
            source.assertAlive();
            expect(await source.kill('SIGTERM')).toEqual({ code: 0, signal: null });
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
