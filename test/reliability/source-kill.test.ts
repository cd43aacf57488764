// A source killed with SIGKILL mid-drain at seeded points (a batch on the wire, its answer lost, after some tasks
// applied) and restarted, several times over one backlog: the target's database must end up with every task applied
// once, in logged order per article, and the source's content. Judged by the target's ledger and audit alone.
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

const plan = chaosPlan('source-kill', 1);
/** Kills per run: each life of the source ends in one, then a last life drains what is left. */
const KILLS = 4;
const POINTS = ['on-wire', 'answer-lost', 'applied'] as const;
type KillPoint = (typeof POINTS)[number];

describe('a source killed with SIGKILL mid-drain and restarted, again and again', () => {
  const cleanup = new Cleanup();
  const figures = new ChaosFigures();
  const points: Record<KillPoint | 'idle', number> = { 'on-wire': 0, 'answer-lost': 0, applied: 0, idle: 0 };
  let requests = 0;
  let duplicates = 0;

  beforeAll(assertHostBuilt);
  afterEach(() => cleanup.run());
  afterAll(() =>
    console.log(
      figures.line(plan, {
        points: Object.entries(points)
          .map(([point, n]) => `${point}:${n}`)
          .join(','),
        requests,
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
          const dir = tempDir(cleanup, 'source-kill');
          const secret = createTestSecret();
          cleanup.add(() => delete process.env[secret.variable]);
          const targetUrl = `sqlite:${join(dir, 'target.sqlite')}`;
          const sourceUrl = `sqlite:${join(dir, 'source.sqlite')}`;

          const target = await startNode(cleanup, 'target', targetOptions(targetUrl, secret));
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
              // The shortest lease: a dead process's rows come back after a second instead of a minute.
              leaseMs: 1000,
              requestTimeoutMs: 10_000,
              retry: { maxAttempts: 100, baseDelayMs: 100, maxDelayMs: 500 },
            },
            stagingAutoSync: {
              maxInFlight: random.int(1, 3),
              pollIntervalMs: 200,
              backoff: { baseDelayMs: 100, maxDelayMs: 500 },
            },
          };

          for (let life = 1; life <= KILLS; life++) {
            const source = await startNode(cleanup, `source (life ${life})`, options);
            const point = random.pick(POINTS);
            // Kill points spread over the drain: a request a few batches on, or a share of what is left applied.
            const request = proxy.requests + random.int(1, 4);
            const left = expected.length - ledger.count();
            const threshold =
              ledger.count() + random.int(1, Math.max(1, Math.floor(left / (KILLS - life + 2))));
            let fired: KillPoint | 'idle' | undefined;
            const fire = (why: KillPoint | 'idle') => {
              if (fired) return;
              fired = why;
              void source.kill('SIGKILL');
            };
            // On the wire: the batch goes on to the target after the kill and is applied there, never recorded.
            if (point === 'on-wire') proxy.onForward = (n) => n === request && fire(point);
            // Answer lost: the target applied and answered; the source dies before it reads the answer.
            if (point === 'answer-lost') proxy.onAnswer = (n) => n === request && fire(point);
            await until(
              () => {
                if (point === 'applied' && ledger.count() >= threshold) fire(point);
                // Everything was applied before the kill point came: kill the idle source all the same.
                if (ledger.count() >= expected.length) fire('idle');
                if (!fired) source.assertAlive();
                return fired !== undefined;
              },
              `the kill point of life ${life} (${point}, request ${request}, threshold ${threshold})`,
              30_000,
            );
            const killedAt = Date.now();
            expect(await source.exited).toEqual({ code: null, signal: 'SIGKILL' });
            proxy.onForward = proxy.onAnswer = undefined;
            points[fired!] += 1;
            figures.kills += 1;
            // The dead source's requests still at the target finish first: recovery counts only what a new life sends.
            await until(() => proxy.inFlight === 0, "the dead source's requests to be answered", 10_000);
            ledger.recoverFrom(killedAt);
          }

          const last = await startNode(cleanup, 'source (last life)', options);
          await waitDrained(sourceDb, 30_000, [last, target]);
          expect(await last.kill('SIGTERM')).toEqual({ code: 0, signal: null });
          expect(await target.kill('SIGTERM')).toEqual({ code: 0, signal: null });

          const verdict = judge(openSqlite(cleanup, targetUrl), expected, await sourceDb.articles());
          figures.add(verdict);
          requests += proxy.requests;
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
