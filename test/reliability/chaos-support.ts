// Shared parts of the fault suite: seeded randomness and run counts, child node processes on the compiled chaos
// host, an HTTP proxy the test controls, the seeded backlog, and the judge, which reads the target's database only.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { Agent, createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { ObjectChanges } from '@syncbus/core';
import { bootSource } from '../autosync/autosync-nodes';
import { Article } from '../support/content-model';
import type { TestSecret } from '../support/staging-nodes';
import { until } from '../support/until';
import { BUMP_TASK_TYPE, type ChaosHostOptions } from './chaos-host';

const root = resolve(__dirname, '../..');
const hostSource = join(root, 'test/reliability/chaos-host.ts');
const hostScript = join(root, 'test/dist/reliability/chaos-host.js');

// ---------------------------------------------------------------------------------------------------------------
// Seeds and run counts

/** How many runs a file makes, and the seed they derive from. */
export interface ChaosPlan {
  readonly name: string;
  readonly seed: number;
  readonly runs: number;
  /** `SYNCBUS_CHAOS=1`: the long form (`npm run chaos`). */
  readonly long: boolean;
}

/**
 * The plan of one fault test file: `normalRuns` under `npm test`, ten times as many with `SYNCBUS_CHAOS=1`,
 * `SYNCBUS_CHAOS_RUNS=N` whatever the mode; the seed from `SYNCBUS_CHAOS_SEED` or random. The seed is printed at
 * once, so a run that hangs or crashes the worker can still be replayed.
 */
export function chaosPlan(name: string, normalRuns: number): ChaosPlan {
  const long = ['1', 'true'].includes(process.env.SYNCBUS_CHAOS ?? '');
  const seed = process.env.SYNCBUS_CHAOS_SEED
    ? Number(process.env.SYNCBUS_CHAOS_SEED)
    : randomInt(1, 2 ** 31 - 1);
  const runs = process.env.SYNCBUS_CHAOS_RUNS
    ? Number(process.env.SYNCBUS_CHAOS_RUNS)
    : long
      ? normalRuns * 10
      : normalRuns;
  if (!Number.isInteger(seed) || seed <= 0) throw new Error(`SYNCBUS_CHAOS_SEED must be a positive integer`);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`SYNCBUS_CHAOS_RUNS must be a positive integer`);
  console.log(`chaos ${name} seed=${seed} runs=${runs}${long ? ' (long form)' : ''}`);
  return { name, seed, runs, long };
}

/** The seed of run `index`: run 0 uses the plan's seed itself, so one failing run replays alone. */
export function runSeed(plan: ChaosPlan, index: number): number {
  if (index === 0) return plan.seed;
  return (Math.imul(plan.seed ^ 0x5bd1e995, index * 2 + 1) >>> 1) % (2 ** 31 - 2) || 1;
}

/** How to replay one run, for failure messages. */
export function replayHint(plan: ChaosPlan, seed: number): string {
  return `seed=${seed} (replay this run: SYNCBUS_CHAOS_SEED=${seed} SYNCBUS_CHAOS_RUNS=1 npx jest test/reliability/${plan.name}.test.ts)`;
}

/** Runs one run's body, prefixing any failure with its seed and how to replay it. */
export async function withReplayHint<T>(plan: ChaosPlan, seed: number, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof Error) error.message = `${replayHint(plan, seed)}\n${error.message}`;
    throw error;
  }
}

/** A small seeded generator (mulberry32): every choice of a run comes from it. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** In [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Clean-up

/** What a run opened (processes, proxies, files, databases), closed in reverse order by `afterEach`. */
export class Cleanup {
  private readonly steps: (() => unknown)[] = [];

  add(step: () => unknown): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    const errors: unknown[] = [];
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}

/** A temporary folder for a run's SQLite files, removed at clean-up. */
export function tempDir(cleanup: Cleanup, label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `syncbus-chaos-${label}-`));
  cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// ---------------------------------------------------------------------------------------------------------------
// Child node processes

/** Fails unless the compiled host exists and is newer than its source (the children must run this tree's code). */
export function assertHostBuilt(): void {
  if (!existsSync(hostScript) || statSync(hostScript).mtimeMs < statSync(hostSource).mtimeMs) {
    throw new Error(`${hostScript} is missing or older than its source; run \`npm run build\` first.`);
  }
}

/** How a child ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A node in its own process. */
export interface ChaosNode {
  readonly label: string;
  readonly pid: number;
  /** Base URL of a target's HTTP server. */
  readonly url?: string;
  readonly exited: Promise<Exit>;
  readonly alive: boolean;
  /** The last 20 KB it wrote on stderr (its log). */
  stderr(): string;
  /** Throws, with its log, when it is no longer running. */
  assertAlive(): void;
  /** Sends `signal` (SIGKILL unless told) and resolves once it has exited. */
  kill(signal?: NodeJS.Signals): Promise<Exit>;
}

/** Environment variables that would override a child's config. */
const OVERRIDES = ['SYNCBUS_DATABASE_URL', 'SYNCBUS_NODE_NAME', 'SYNCBUS_LOG_LEVEL'];

/** Starts the chaos host with `options`; resolves once it is booted. Killed at clean-up if still running. */
export async function startNode(
  cleanup: Cleanup,
  label: string,
  options: ChaosHostOptions,
  bootTimeoutMs = 20_000,
): Promise<ChaosNode> {
  // Jest gives each test file its own copy of process.env: pass it on, with the secrets the test exported.
  const env = { ...process.env };
  for (const name of OVERRIDES) delete env[name];
  const child: ChildProcess = spawn(process.execPath, [hostScript, JSON.stringify(options)], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-20_000)));
  let exit: Exit | undefined;
  const exited = new Promise<Exit>((done) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      done(exit);
    }),
  );
  cleanup.add(async () => {
    if (!exit) child.kill('SIGKILL');
    await exited;
  });
  const ready = await new Promise<{ url?: string }>((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`${label} did not boot in ${bootTimeoutMs} ms; its log:\n${log}`)),
      bootTimeoutMs,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let message: { event?: string; url?: string } = {};
      try {
        message = JSON.parse(line);
      } catch {
        return; // not ours
      }
      if (message.event === 'ready') {
        clearTimeout(timer);
        done(message);
      }
    });
    void exited.then((e) => {
      clearTimeout(timer);
      fail(new Error(`${label} exited (${e.code ?? e.signal}) before booting; its log:\n${log}`));
    });
  });
  const node: ChaosNode = {
    label,
    pid: child.pid!,
    url: ready.url,
    exited,
    get alive() {
      return exit === undefined;
    },
    stderr: () => log,
    assertAlive() {
      if (exit)
        throw new Error(`${label} (pid ${child.pid}) died (${exit.code ?? exit.signal}); its log:\n${log}`);
    },
    kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (!exit) child.kill(signal);
      return exited;
    },
  };
  return node;
}

/** The host options of a target that accepts `source` (signed with `secret`) on the SQLite file `databaseUrl`. */
export function targetOptions(databaseUrl: string, secret: TestSecret, source = 'source'): ChaosHostOptions {
  return {
    role: 'target',
    nodeName: 'target',
    databaseUrl,
    acceptFrom: [{ server: source, secret: secret.ref }],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The proxy between sources and the target

/** An HTTP proxy on loopback in front of the target, which the test re-points, counts through and hooks into. */
export interface ChaosProxy {
  readonly url: string;
  /** Where requests go; undefined: nowhere (the client's connection is reset, as with a target that is down). */
  upstream: string | undefined;
  /** Requests received (1-based numbers in arrival order). */
  readonly requests: number;
  /** Requests at the target now. */
  readonly inFlight: number;
  /** Requests that could not be forwarded or whose answer never came (the client's connection was reset). */
  readonly broken: number;
  /** Arrival time (epoch ms) of every request. */
  readonly arrivals: readonly number[];
  /** Task results the target answered, by status (`applied`, `duplicate`, `error`). */
  readonly outcomes: Record<string, number>;
  /** Added before forwarding each request, in ms: a slower way to the target, so a drain lasts for several faults. */
  delayMs: number;
  /** Called with a request's number just before it is forwarded. */
  onForward?: (request: number) => void;
  /** Called with a request's number once the target answered, before the answer is passed on. */
  onAnswer?: (request: number) => void;
  close(): Promise<void>;
}

/** Starts a proxy to `upstream`; closed at clean-up. */
export async function startProxy(cleanup: Cleanup, upstream: string | undefined): Promise<ChaosProxy> {
  let requests = 0;
  let inFlight = 0;
  let broken = 0;
  const arrivals: number[] = [];
  const outcomes: Record<string, number> = {};
  const agent = new Agent({ keepAlive: true });

  const readBody = (message: IncomingMessage) =>
    new Promise<Buffer>((done, fail) => {
      const chunks: Buffer[] = [];
      message.on('data', (chunk: Buffer) => chunks.push(chunk));
      message.on('end', () => done(Buffer.concat(chunks)));
      message.on('error', fail);
    });

  const forward = (to: string, incoming: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; type: string; body: Buffer }>((done, fail) => {
      const url = new URL(incoming.url ?? '/', to);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (typeof value === 'string' && !['host', 'connection', 'keep-alive'].includes(name))
          headers[name] = value;
      }
      headers['content-length'] = String(body.length);
      const outgoing = httpRequest(url, { method: incoming.method, headers, agent }, (answer) => {
        readBody(answer).then(
          (text) =>
            done({
              status: answer.statusCode ?? 502,
              type: String(answer.headers['content-type'] ?? 'text/plain'),
              body: text,
            }),
          fail,
        );
      });
      outgoing.on('error', fail);
      outgoing.end(body);
    });

  const server = createServer((incoming, response) => {
    void (async () => {
      const number = ++requests;
      arrivals.push(Date.now());
      const body = await readBody(incoming).catch(() => undefined);
      if (!body) return;
      if (proxy.delayMs > 0) await new Promise((done) => setTimeout(done, proxy.delayMs));
      const to = proxy.upstream;
      proxy.onForward?.(number);
      if (!to) {
        broken += 1;
        incoming.socket.destroy();
        return;
      }
      inFlight += 1;
      let answer;
      try {
        answer = await forward(to, incoming, body);
      } catch {
        // The target died with the request, or is not listening: the client sees its connection reset.
        broken += 1;
        incoming.socket.destroy();
        return;
      } finally {
        inFlight -= 1;
      }
      try {
        const reply = JSON.parse(answer.body.toString('utf8')) as { results?: { status: string }[] };
        for (const result of reply.results ?? [])
          outcomes[result.status] = (outcomes[result.status] ?? 0) + 1;
      } catch {
        // not a staging reply: nothing to count
      }
      proxy.onAnswer?.(number);
      if (!response.destroyed && !incoming.socket.destroyed) {
        response.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
      }
    })();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  let closed = false;
  const proxy: ChaosProxy = {
    url: `http://127.0.0.1:${port}`,
    upstream,
    delayMs: 0,
    get requests() {
      return requests;
    },
    get inFlight() {
      return inFlight;
    },
    get broken() {
      return broken;
    },
    arrivals,
    outcomes,
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
  cleanup.add(() => proxy.close());
  return proxy;
}

// ---------------------------------------------------------------------------------------------------------------
// The backlog

/** A task of the backlog, as the source logged it (after collapsing). */
export interface ExpectedTask {
  readonly id: number;
  readonly guid: string;
  readonly taskType: string;
  readonly objectGuid: string;
  /** The article's version (`views`) the task carries. */
  readonly version: number;
}

/** Shape of a backlog: `objects` articles, each created and then changed `changes` times (a range). */
export interface BacklogShape {
  readonly objects: number;
  readonly changes: readonly [number, number];
}

type Change = 'create' | 'update' | 'bump' | 'delete';

/**
 * Writes a seeded backlog on a source database (a node without the auto-sync plugin, stopped afterwards): per
 * article a create, then updates, host `bump` tasks and deletes (a deleted article is created again before it
 * changes further), all articles interleaved, in transactions of 1 to 25 changes. Every change sets the article's
 * `views` to its next version, so the target's audit shows the order changes arrived in. Returns the tasks the
 * source holds for the target, in logged order: what the target must end up having applied, once each.
 */
export async function writeBacklog(
  random: Random,
  options: {
    databaseUrl: string;
    servers: { name: string; url: string; secret: TestSecret }[];
  } & BacklogShape,
): Promise<ExpectedTask[]> {
  const plans: Change[][] = [];
  for (let i = 0; i < options.objects; i++) {
    const plan: Change[] = ['create'];
    let exists = true;
    for (let c = random.int(...options.changes); c > 0; c--) {
      if (!exists) {
        plan.push('create');
        exists = true;
        continue;
      }
      const r = random.next();
      const change: Change = r < 0.4 ? 'bump' : r < 0.85 ? 'update' : 'delete';
      plan.push(change);
      exists = change !== 'delete';
    }
    plans.push(plan);
  }
  // Interleave the articles: a shuffled list of article numbers, each taking its plan's next change.
  const order = plans.flatMap((plan, i) => plan.map(() => i));
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const versions = new Array<number>(options.objects).fill(0);
  const next = new Array<number>(options.objects).fill(0);

  const node = await bootSource({ databaseUrl: options.databaseUrl, servers: options.servers, plugins: [] });
  try {
    const changes = node.kernel.get(ObjectChanges);
    for (let at = 0; at < order.length;) {
      const chunk = order.slice(at, at + random.int(1, 25));
      at += chunk.length;
      await node.storage.transaction(async (manager) => {
        for (const i of chunk) {
          const change = plans[i][next[i]++];
          const guid = `o-${i}`;
          const version = ++versions[i];
          const values = {
            title: `Article ${i} v${version}`,
            body: `body of ${i} at v${version}`,
            views: version,
          };
          if (change === 'create') {
            await manager.save(manager.create(Article, { guid, ...values }));
            continue;
          }
          const article = await manager.findOneByOrFail(Article, { guid });
          if (change === 'update') await manager.save(Object.assign(article, values));
          else if (change === 'delete') await manager.remove(article);
          // A host task: it carries the version, changes nothing on the source, and appends a row on the target.
          else
            await changes.logObjectChange(
              manager.create(Article, { ...article, views: version }),
              BUMP_TASK_TYPE,
              {
                manager,
              },
            );
        }
      });
    }
    const rows: { id: unknown; guid: string; task_type: string; object_guid: string; data: string }[] =
      await node.storage.dataSource.query(
        'SELECT id, guid, task_type, object_guid, data FROM staging_task ORDER BY id',
      );
    return rows.map((row) => ({
      id: Number(row.id),
      guid: row.guid,
      taskType: row.task_type,
      objectGuid: row.object_guid,
      version: Number((JSON.parse(row.data) as { views?: unknown }).views),
    }));
  } finally {
    await node.kernel.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the databases

/**
 * A connection of the test to a SQLite file a child writes (WAL: reading never blocks the writer). A short busy
 * timeout: the test's event loop also runs the proxy, and must not stall while a restarted target recovers its WAL.
 */
export function openSqlite(cleanup: Cleanup, databaseUrl: string): Database.Database {
  const db = new Database(databaseUrl.slice('sqlite:'.length), { fileMustExist: true, timeout: 100 });
  cleanup.add(() => db.close());
  return db;
}

/** Tasks in the target's ledger (every source). */
export function ledgerCount(target: Database.Database): number {
  return (target.prepare('SELECT COUNT(*) AS n FROM staging_received_task').get() as { n: number }).n;
}

/**
 * Watches the target's ledger while nodes die and start: `count()` is the number of tasks applied (the last one
 * read while the file is busy), and `recoverFrom(at)` measures the time from a fault at `at` until a task not
 * applied before it is, into `figures.recoveryMs`.
 */
export class LedgerWatch {
  private last = 0;
  private pending?: { since: number; ledger: number };
  private readonly timer: NodeJS.Timeout;

  constructor(
    cleanup: Cleanup,
    private readonly target: Database.Database,
    private readonly recoveries: number[],
  ) {
    this.timer = setInterval(() => this.poll(), 5);
    cleanup.add(() => clearInterval(this.timer));
  }

  count(): number {
    try {
      this.last = ledgerCount(this.target);
    } catch {
      // busy for a moment (a restarted target recovering its WAL): the last count stands
    }
    return this.last;
  }

  /** Starts timing a recovery: from `since` until the ledger holds more than it does now. */
  recoverFrom(since: number): void {
    this.pending = { since, ledger: this.count() };
  }

  /** Whether a recovery is still being timed. */
  get recovering(): boolean {
    return this.pending !== undefined;
  }

  private poll(): void {
    if (this.pending && this.count() > this.pending.ledger) {
      this.recoveries.push(Date.now() - this.pending.since);
      this.pending = undefined;
    }
  }
}

/** An article as both ends store it. */
export interface ArticleRow {
  readonly guid: string;
  readonly title: string;
  readonly body: string;
  readonly views: number;
}

/** The source's queue and content, on SQLite or PostgreSQL. */
export interface SourceDb {
  /** Synchronization rows left: all, `failed` ones, and ones leased now. */
  queue(): Promise<{ total: number; failed: number; leased: number }>;
  articles(): Promise<ArticleRow[]>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

const QUEUE_SQL = `SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS failed,
  COALESCE(SUM(CASE WHEN lease_owner IS NOT NULL THEN 1 ELSE 0 END), 0) AS leased FROM staging_synchronization`;
const ARTICLES_SQL = 'SELECT guid, title, body, views FROM article ORDER BY guid';

/** The source on a SQLite file. */
export function sqliteSourceDb(cleanup: Cleanup, databaseUrl: string): SourceDb {
  const db = openSqlite(cleanup, databaseUrl);
  return {
    queue: async () => {
      const row = db.prepare(QUEUE_SQL).get() as Record<string, number>;
      return { total: Number(row.total), failed: Number(row.failed), leased: Number(row.leased) };
    },
    articles: async () => db.prepare(ARTICLES_SQL).all() as ArticleRow[],
    query: async <T>(sql: string, params: unknown[] = []) => db.prepare(sql).all(...params) as T[],
  };
}

/** The source on PostgreSQL, through one client of the test (`client.processID` is its backend). */
export async function postgresSourceDb(
  cleanup: Cleanup,
  databaseUrl: string,
): Promise<SourceDb & { client: Client }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  cleanup.add(() => client.end());
  return {
    client,
    queue: async () => {
      const { rows } = await client.query(QUEUE_SQL);
      return { total: Number(rows[0].total), failed: Number(rows[0].failed), leased: Number(rows[0].leased) };
    },
    articles: async () =>
      (await client.query(ARTICLES_SQL)).rows.map((r) => ({ ...r, views: Number(r.views) }) as ArticleRow),
    query: async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
  };
}

/**
 * Waits until the source's queue is empty (every task recorded as delivered), failing at once when a row turned
 * `failed` or a node that must stay up died, and after `timeoutMs` with what is left.
 */
export async function waitDrained(
  source: SourceDb,
  timeoutMs: number,
  mustStayUp: readonly ChaosNode[] = [],
): Promise<void> {
  let last = { total: -1, failed: 0, leased: 0 };
  try {
    await until(
      async () => {
        for (const node of mustStayUp) node.assertAlive();
        last = await source.queue();
        if (last.failed > 0) {
          const rows = await source.query<{ last_error: string }>(
            "SELECT last_error FROM staging_synchronization WHERE status = 'failed' LIMIT 3",
          );
          throw new Error(`${last.failed} rows turned failed, e.g. ${JSON.stringify(rows)}`);
        }
        return last.total === 0;
      },
      'the source queue to drain',
      timeoutMs,
    );
  } catch (error) {
    const logs = mustStayUp.map((n) => `--- ${n.label} log:\n${n.stderr().slice(-3000)}`).join('\n');
    throw new Error(`${(error as Error).message}; queue ${JSON.stringify(last)}\n${logs}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The judge

/** What the target's database says about a delivery. */
export interface Verdict {
  readonly tasks: number;
  /** Tasks without a ledger row, and task effects missing from the audit. */
  readonly lost: number;
  /** Effects in the audit more often than the tasks carry them. */
  readonly twice: number;
  /** Articles whose changes the audit shows in another order than logged. */
  readonly outOfOrder: number;
  /** Every discrepancy, readable; empty when the delivery kept every promise. */
  readonly problems: string[];
}

/**
 * The audit rows the backlog must leave on the target, per article, in order: what applying the tasks in logged
 * order does to the target (an insert when the article is not there, an update when it is, a delete only of an
 * article that is there, one row per `bump`).
 */
function expectedAudit(tasks: readonly ExpectedTask[]): Map<string, string[]> {
  const byObject = new Map<string, string[]>();
  const state = new Map<string, number | undefined>();
  for (const task of tasks) {
    const rows = byObject.get(task.objectGuid) ?? [];
    byObject.set(task.objectGuid, rows);
    const current = state.get(task.objectGuid);
    if (task.taskType === BUMP_TASK_TYPE) rows.push(`bump ${task.version}`);
    else if (task.taskType === 'delete') {
      if (current !== undefined) rows.push(`del ${current}`);
      state.set(task.objectGuid, undefined);
    } else {
      if (current === undefined) rows.push(`ins ${task.version}`);
      else if (current !== task.version) rows.push(`upd ${task.version}`);
      state.set(task.objectGuid, task.version);
    }
  }
  return byObject;
}

/**
 * Judges a delivery by the target's database alone: its ledger holds exactly the backlog's tasks for `source`, its
 * audit shows every task's effect once and in logged order per article, and its articles equal the source's.
 */
export function judge(
  target: Database.Database,
  expected: readonly ExpectedTask[],
  sourceArticles: readonly ArticleRow[],
  source = 'source',
): Verdict {
  const problems: string[] = [];
  const ledger = (
    target.prepare('SELECT task_guid FROM staging_received_task WHERE source_server = ?').all(source) as {
      task_guid: string;
    }[]
  ).map((r) => r.task_guid);
  const inLedger = new Set(ledger);
  const wanted = new Set(expected.map((t) => t.guid));
  let lost = 0;
  for (const task of expected) {
    if (inLedger.has(task.guid)) continue;
    lost += 1;
    problems.push(
      `lost: ${task.taskType} ${task.objectGuid} v${task.version} (task ${task.id}) not in the ledger`,
    );
  }
  for (const guid of ledger)
    if (!wanted.has(guid)) problems.push(`the ledger holds ${guid}, which the source never logged`);

  const audit = new Map<string, string[]>();
  for (const row of target
    .prepare('SELECT object_guid, kind, version FROM chaos_audit ORDER BY id')
    .all() as {
    object_guid: string;
    kind: string;
    version: number;
  }[]) {
    const rows = audit.get(row.object_guid) ?? [];
    rows.push(`${row.kind} ${row.version}`);
    audit.set(row.object_guid, rows);
  }
  const wantedAudit = expectedAudit(expected);
  let twice = 0;
  let outOfOrder = 0;
  for (const guid of new Set([...wantedAudit.keys(), ...audit.keys()])) {
    const want = wantedAudit.get(guid) ?? [];
    const got = audit.get(guid) ?? [];
    if (want.join(',') === got.join(',')) continue;
    const counts = new Map<string, number>();
    for (const entry of got) counts.set(entry, (counts.get(entry) ?? 0) + 1);
    for (const entry of want) counts.set(entry, (counts.get(entry) ?? 0) - 1);
    for (const [entry, n] of counts) {
      if (n > 0) twice += n;
      if (n < 0) lost += -n;
      if (n !== 0)
        problems.push(`${guid}: "${entry}" ${n > 0 ? `applied ${n} extra time(s)` : 'never applied'}`);
    }
    // Order: the first occurrence of each expected row, in the order the target committed them.
    const seen = [...new Set(got)].filter((entry) => want.includes(entry));
    if (seen.join(',') !== want.filter((entry) => seen.includes(entry)).join(',')) {
      outOfOrder += 1;
      problems.push(`${guid}: applied as [${got.join(', ')}], logged as [${want.join(', ')}]`);
    }
  }

  const onTarget = target.prepare(ARTICLES_SQL).all() as ArticleRow[];
  const show = (rows: readonly ArticleRow[]) =>
    new Map(rows.map((r) => [r.guid, `${r.title} | ${r.body} | ${Number(r.views)}`]));
  const [want, got] = [show(sourceArticles), show(onTarget)];
  for (const guid of new Set([...want.keys(), ...got.keys()])) {
    if (want.get(guid) !== got.get(guid))
      problems.push(
        `content of ${guid}: source ${want.get(guid) ?? 'none'}, target ${got.get(guid) ?? 'none'}`,
      );
  }
  return { tasks: expected.length, lost, twice, outOfOrder, problems };
}

// ---------------------------------------------------------------------------------------------------------------
// Figures

/** `p50/max` of a list of durations in ms, or `-` when there are none. */
export function p50max(values: readonly number[]): string {
  if (values.length === 0) return '-';
  const sorted = [...values].sort((a, b) => a - b);
  return `${Math.round(sorted[Math.floor((sorted.length - 1) / 2)])}/${Math.round(sorted[sorted.length - 1])}`;
}

/** What a file's runs add up to, for its one summary line. */
export class ChaosFigures {
  runs = 0;
  failedRuns = 0;
  kills = 0;
  tasks = 0;
  lost = 0;
  twice = 0;
  outOfOrder = 0;
  readonly recoveryMs: number[] = [];

  add(verdict: Verdict): void {
    this.tasks += verdict.tasks;
    this.lost += verdict.lost;
    this.twice += verdict.twice;
    this.outOfOrder += verdict.outOfOrder;
  }

  /** `chaos <name> seed=… runs=… kills=… tasks=… lost=… twice=… outOfOrder=… recoveryMs(p50/max)=… <extra>`. */
  line(plan: ChaosPlan, extra: Record<string, string | number> = {}): string {
    const fields = {
      seed: plan.seed,
      runs: this.runs,
      ...(this.failedRuns > 0 ? { failedRuns: this.failedRuns } : {}),
      kills: this.kills,
      tasks: this.tasks,
      lost: this.lost,
      twice: this.twice,
      outOfOrder: this.outOfOrder,
      'recoveryMs(p50/max)': p50max(this.recoveryMs),
      ...extra,
    };
    return `chaos ${plan.name} ${Object.entries(fields)
      .map(([key, value]) => `${key}=${value}`)
      .join(' ')}`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL

// The probe lives with the rest of the PostgreSQL test support; the fault tests import it from here.
export { probePostgres } from '../support/postgres';
