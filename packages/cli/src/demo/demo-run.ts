// `syncbus demo`: two nodes on temporary SQLite files, auto-sync and a webhook connector, a scripted series of
// changes printed live as they are logged, applied and received, then a summary.
import { AdminModule } from '@syncbus/admin';
import { createLogger, Kernel, Storage, type Newable } from '@syncbus/core';
import { IntegrationEvents, IntegrationModule, IntegrationSynchronizations } from '@syncbus/integration';
import { ServerModule, SyncbusHttpServer } from '@syncbus/server';
import { StagingEvents, StagingModule, SynchronizationInfoProvider } from '@syncbus/staging';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { demoConflict, type DemoConflictResult } from './demo-conflict';
import { DemoSink } from './demo-sink';
import { demoScript } from './demo-script';
import { Article, Category, sampleContentModel } from '@syncbus/sample-content-model';

/** Options of one demo run. */
export interface DemoOptions {
  /** Exit after the summary instead of serving until Ctrl-C. */
  readonly once: boolean;
  /** Article changes in the burst step. */
  readonly burst: number;
  /** Longest wait for everything to arrive, in ms. */
  readonly timeoutMs: number;
  readonly out: Writable;
  readonly err: Writable;
}

/** How a demo run ended. */
export interface DemoResult {
  readonly complete: boolean;
  readonly logged: number;
  readonly applied: number;
  readonly received: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

const MODULES: Newable[] = [StagingModule, IntegrationModule, ServerModule, AdminModule];
const STAGING_SECRET = 'SYNCBUS_DEMO_STAGING_SECRET';
const WEBHOOK_SECRET = 'SYNCBUS_DEMO_WEBHOOK_SECRET';
const ADMIN_TOKEN = 'SYNCBUS_DEMO_ADMIN_TOKEN';
/** Both nodes serve the admin API and the dashboard, to one operator token the demo makes up (and prints). */
const ADMIN = {
  enabled: true,
  tokens: [{ name: 'demo', role: 'operator', token: `env:${ADMIN_TOKEN}` }],
};
const DASHBOARD = '/syncbus/admin/';

/** Runs the demo; resolves when it is done (with `once`) or after Ctrl-C. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const say = (line: string) => options.out.write(`${line}\n`);
  const started = Date.now();
  const clock = () => `[${String(Date.now() - started).padStart(6)} ms]`;
  const dir = mkdtempSync(join(tmpdir(), 'syncbus-demo-'));
  // Secrets reach nodes only through the environment; the demo makes up its own.
  process.env[STAGING_SECRET] ??= randomBytes(24).toString('hex');
  process.env[WEBHOOK_SECRET] ??= randomBytes(24).toString('hex');
  process.env[ADMIN_TOKEN] ??= randomBytes(24).toString('hex');
  const logger = createLogger({ level: 'warn', destination: options.err });

  const logged = new Map<string, number>();
  const latencies: number[] = [];
  let integrationLogged = 0;
  const sink = new DemoSink(process.env[WEBHOOK_SECRET]!, (delivery) => {
    const task =
      (delivery.body as { task?: { taskType?: string; objectType?: string; objectGuid?: string } }).task ??
      {};
    say(
      `${clock()} connector  ${pad(task.taskType, 7)} ${pad(task.objectType, 13)} ${task.objectGuid}  received by the webhook sink`,
    );
  });
  const sinkUrl = await sink.start();
  // Everything started is stopped again, and the temporary databases removed, however the demo ends.
  const running: { stop(): Promise<void> }[] = [sink];
  try {
    const target = await Kernel.boot({
      config: {
        nodeName: 'production',
        database: { url: `sqlite:${join(dir, 'production.sqlite')}` },
        http: { port: 0 },
        staging: {
          receiver: {
            sources: [{ server: 'editorial', secret: `env:${STAGING_SECRET}` }],
            // Articles edited on production wait for a person (docs/conflicts.md); the demo shows one.
            conflicts: { objectTypes: { 'cms.article': 'hold' } },
          },
        },
        admin: ADMIN,
      },
      modules: MODULES,
      ...sampleContentModel,
      logger,
    });
    running.push(target);
    const targetUrl = target.get(SyncbusHttpServer).url;
    const source = await Kernel.boot({
      config: {
        nodeName: 'editorial',
        database: { url: `sqlite:${join(dir, 'editorial.sqlite')}` },
        http: { port: 0 },
        admin: ADMIN,
        plugins: [
          '@syncbus/plugin-staging-autosync',
          '@syncbus/plugin-integration-autosync',
          '@syncbus/connector-webhook',
        ],
        servers: [{ name: 'production', url: targetUrl, secret: `env:${STAGING_SECRET}` }],
        connectors: [{ name: 'webhook', config: { url: sinkUrl, secret: `env:${WEBHOOK_SECRET}` } }],
        stagingAutoSync: { backoff: { baseDelayMs: 200, maxDelayMs: 2000 } },
        // A task held as a conflict is asked about again after the longest retry delay: short, for the demo.
        staging: { retry: { baseDelayMs: 200, maxDelayMs: 1000 } },
      },
      // The plugins are dependencies of this package, so they resolve from here wherever the CLI is installed.
      baseDir: __dirname,
      modules: MODULES,
      ...sampleContentModel,
      logger,
    });
    running.push(source);
    const dashboards =
      `dashboards: editorial ${source.get(SyncbusHttpServer).url}${DASHBOARD}, ` +
      `production ${targetUrl}${DASHBOARD} (sign in with the operator token ${process.env[ADMIN_TOKEN]})`;

    source.get(StagingEvents).logTask.after.subscribe(({ task }) => {
      logged.set(task.guid, Date.now());
      say(
        `${clock()} logged     ${pad(task.taskType, 7)} ${pad(task.objectType, 13)} ${task.objectGuid}  task #${task.id}`,
      );
    });
    source.get(IntegrationEvents).logInternalTask.after.subscribe(() => void integrationLogged++);
    target.get(StagingEvents).processTask.after.subscribe(({ task }) => {
      const at = logged.get(task.guid);
      const latency = at === undefined ? undefined : Date.now() - at;
      if (latency !== undefined) latencies.push(latency);
      say(
        `${clock()} applied    ${pad(task.taskType, 7)} ${pad(task.objectType, 13)} ${task.objectGuid}  on production${latency === undefined ? '' : ` (${latency} ms after commit)`}`,
      );
    });

    say(
      `syncbus demo: source 'editorial' stages to target 'production' (${targetUrl}) and sends to a webhook (${sinkUrl})`,
    );
    say(dashboards);
    say(`databases in ${dir} (removed at the end)\n`);
    const sourceData = source.get(Storage).dataSource;
    for (const step of demoScript(options.burst)) {
      say(`${clock()} ---- ${step.title}`);
      await step.run(sourceData);
    }

    const tasks = source.get(SynchronizationInfoProvider);
    const queues = source.get(IntegrationSynchronizations);
    const deadline = Date.now() + options.timeoutMs;
    const settle = async () => {
      while (Date.now() < deadline) {
        const staging = await tasks.count('production');
        const integration = await queues.list('webhook');
        if (staging.pending + staging.failed === 0 && integration.length === 0) return true;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return false;
    };
    let settled = await settle();
    let conflict: DemoConflictResult = { recorded: 0, resolved: false };
    if (settled) {
      say(
        `${clock()} ---- an editor fixes a title on production directly; editorial changes the same article`,
      );
      conflict = await demoConflict(source, target, say, deadline);
      settled = await settle();
    }

    const same = settled && (await sameContent(source.get(Storage), target.get(Storage)));
    const sorted = [...latencies].sort((a, b) => a - b);
    const result: DemoResult = {
      complete:
        same && conflict.resolved && conflict.recorded === 1 && sink.deliveries.size === integrationLogged,
      logged: logged.size,
      applied: latencies.length,
      received: sink.deliveries.size,
      latencyMs: {
        p50: percentile(sorted, 0.5),
        p99: percentile(sorted, 0.99),
        max: sorted[sorted.length - 1] ?? 0,
      },
    };
    say('');
    say('summary');
    say(
      `  staging tasks logged ${result.logged}, applied on production ${result.applied} (collapsed before sending or resolved as a conflict: ${result.logged - result.applied})`,
    );
    say(
      `  conflicts on production: ${conflict.recorded} (${conflict.resolved ? "held, then resolved by taking editorial's version" : 'NOT resolved'})`,
    );
    say(
      `  integration tasks logged ${integrationLogged}, received by the webhook sink ${result.received} (signature checked; ${sink.rejected} rejected)`,
    );
    say(
      `  commit on source -> applied on target: p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, max ${result.latencyMs.max} ms`,
    );
    say(`  content of editorial and production: ${same ? 'identical' : 'DIFFERENT'}`);
    say(result.complete ? '  everything arrived.' : '  NOT everything arrived; see the warnings above.');

    if (!options.once) {
      say(`\nstill serving until Ctrl-C: ${dashboards}; webhook sink ${sinkUrl}`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
    return result;
  } finally {
    for (const part of running.reverse()) await part.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function sameContent(source: Storage, target: Storage): Promise<boolean> {
  const read = async (storage: Storage) => {
    const categories = await storage.dataSource.getRepository(Category).find({ order: { code: 'ASC' } });
    const articles = await storage.dataSource
      .getRepository(Article)
      .find({ relations: { category: true }, order: { guid: 'ASC' } });
    return JSON.stringify({
      categories: categories.map((c) => [c.code, c.name]),
      articles: articles.map((a) => [a.guid, a.title, a.body, a.views, a.category?.code ?? null]),
    });
  };
  return (await read(source)) === (await read(target));
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

function pad(value: unknown, width: number): string {
  return String(value ?? '').padEnd(width);
}
