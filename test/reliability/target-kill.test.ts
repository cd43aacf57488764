// A target killed with SIGKILL mid-apply (a request at it, or after some tasks applied) and restarted on the same
// SQLite file, several times while a source drains a backlog to it: afterwards the target's database holds every
// task applied once, in logged order per article, nothing half-applied, and the source's content.
import { join } from 'node:path';
import { createTestSecret } from '../support/staging-nodes';
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
  Random,
  runSeed,
  sqliteSourceDb,
  startNode,
  startProxy,
  targetOptions,
  tempDir,
  waitDrained,
  withReplayHint,
  writeBacklog,
} from './chaos-support';

const plan = chaosPlan('target-kill', 1);
const KILLS = 4;
const POINTS = ['mid-request', 'applied'] as const;
type KillPoint = (typeof POINTS)[number];

describe('a target killed with SIGKILL mid-apply and restarted on the same file, again and again', () => {
  const cleanup = new Cleanup();
  const figures = new ChaosFigures();
  const points: Record<KillPoint | 'idle', number> = { 'mid-request': 0, applied: 0, idle: 0 };
  let withRequestAtTarget = 0;
  let duplicates = 0;

  beforeAll(assertHostBuilt);
  afterEach(() => cleanup.run());
  afterAll(() =>
    console.log(
      figures.line(plan, {
        points: Object.entries(points)
          .map(([point, n]) => `${point}:${n}`)
          .join(','),
        killsWithRequestAtTarget: withRequestAtTarget,
        redeliveredDuplicates: duplicates,
      }),
    ),
  );

  for (let run = 0; run < plan.runs; run++) {
    const seed = runSeed(plan, run);
    it(
      `run ${run + 1}/${plan.runs} (seed ${seed}): nothing lost, nothing applied twice, order per article kept`,
      () =>
        withReplayHint(plan, seed, async () => {
          figures.runs += 1;
          figures.failedRuns += 1;
          const random = new Random(seed);
          const dir = tempDir(cleanup, 'target-kill');
          const secret = createTestSecret();
          cleanup.add(() => delete process.env[secret.variable]);
          const targetUrl = `sqlite:${join(dir, 'target.sqlite')}`;
          const sourceUrl = `sqlite:${join(dir, 'source.sqlite')}`;

          let target = await startNode(cleanup, 'target (life 1)', targetOptions(targetUrl, secret));
          const proxy = await startProxy(cleanup, target.url);
          const expected = await writeBacklog(random, {
            databaseUrl: sourceUrl,
            servers: [{ name: 'target', url: proxy.url, secret }],
            objects: 150,
            changes: [1, 5],
          });
          const ledger = new LedgerWatch(cleanup, openSqlite(cleanup, targetUrl), figures.recoveryMs);
          const sourceDb = sqliteSourceDb(cleanup, sourceUrl);
          const options: ChaosHostOptions = {
            role: 'source',
            nodeName: 'source',
            databaseUrl: sourceUrl,
            servers: [{ name: 'target', url: proxy.url, secret: secret.ref }],
            staging: {
              batchSize: random.pick([7, 20, 33]),
              leaseMs: 1000,
              requestTimeoutMs: 10_000,
              retry: { maxAttempts: 100, baseDelayMs: 100, maxDelayMs: 500 },
            },
            stagingAutoSync: {
              maxInFlight: random.int(1, 2),
              pollIntervalMs: 200,
              // Short: the source finds the restarted target within half a second.
              backoff: { baseDelayMs: 100, maxDelayMs: 500 },
            },
          };
          const source = await startNode(cleanup, 'source', options);

          for (let life = 1; life <= KILLS; life++) {
            const dying = target;
            const point = random.pick(POINTS);
            const request = proxy.requests + random.int(1, 3);
            // After forwarding: a few ms into the request, mostly while its transaction is open.
            const delayMs = random.int(0, 20);
            const left = expected.length - ledger.count();
            const threshold =
              ledger.count() + random.int(1, Math.max(1, Math.floor(left / (KILLS - life + 2))));
            let fired: KillPoint | 'idle' | undefined;
            const fire = (why: KillPoint | 'idle') => {
              if (fired) return;
              fired = why;
              if (proxy.inFlight > 0) withRequestAtTarget += 1;
              void dying.kill('SIGKILL');
              proxy.upstream = undefined;
            };
            if (point === 'mid-request')
              proxy.onForward = (n) => {
                if (n === request) setTimeout(() => fire(point), delayMs);
              };
            await until(
              () => {
                if (point === 'applied' && ledger.count() >= threshold) fire(point);
                if (ledger.count() >= expected.length) fire('idle');
                if (!fired) {
                  dying.assertAlive();
                  source.assertAlive();
                }
                return fired !== undefined;
              },
              `the kill point of target life ${life} (${point}, request ${request}, threshold ${threshold})`,
              30_000,
            );
            const killedAt = Date.now();
            expect(await dying.exited).toEqual({ code: null, signal: 'SIGKILL' });
            proxy.onForward = undefined;
            points[fired!] += 1;
            figures.kills += 1;
            ledger.recoverFrom(killedAt);
            // Down for a while: until the source has met the dead target 0 to 2 more times.
            const brokenAtKill = proxy.broken;
            const attempts = fired === 'idle' ? 0 : random.int(0, 2);
            await until(
              () => proxy.broken >= brokenAtKill + attempts,
              'the source to try the dead target',
              15_000,
            );
            target = await startNode(cleanup, `target (life ${life + 1})`, targetOptions(targetUrl, secret));
            proxy.upstream = target.url;
          }

          await waitDrained(sourceDb, 30_000, [source, target]);
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
      60_000,
    );
  }
});
