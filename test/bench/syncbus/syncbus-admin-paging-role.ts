// Times what the admin API's task list and server list ask of staging (`SynchronizationInfoProvider.list` pages of 50 and
// `stats()`) on a small and on a large backlog in one process, the samples of both sizes interleaved.
import Database from 'better-sqlite3';
import { Kernel, Storage } from '@syncbus/core';
import { parseDatabaseUrl, withSqlTransaction } from '@syncbus/core/internal';
import { ServerInfoProvider, type StagingTaskFilter, SynchronizationInfoProvider } from '@syncbus/staging';
import { Client } from 'pg';
import type { ChildRole } from '../harness/child-channel';
import { median } from '../harness/stats';
import {
  PAGING_VALUES,
  writePagingBacklogPostgres,
  writePagingBacklogSqlite,
} from '../floors/paging-backlog';
import { sourceNodeOptions } from './syncbus-node-options';

/** Config of the admin-paging role. */
export interface AdminPagingConfig {
  /** One database per backlog, in the order of `tasks`. */
  readonly databaseUrls: readonly string[];
  readonly tasks: readonly number[];
  readonly secretEnv: string;
  readonly run: string;
  /** Samples per query and backlog (fewer when `maxMsPerQuery` runs out first; at least 3). */
  readonly samples: number;
  readonly maxMsPerQuery: number;
}

/** One timed query: the median per backlog, in the order of `tasks`. */
export interface PagingTiming {
  readonly name: string;
  readonly medianMs: readonly number[];
  readonly samples: readonly number[];
  /** Rows the query answered per backlog (a check that both sizes did the same work). */
  readonly rows: readonly number[];
  /** False for a filter no index serves (a rare title or user): read in logged order until the page is full. */
  readonly indexed: boolean;
}

/** What the role returns. */
export interface AdminPagingResult {
  readonly buildMs: readonly number[];
  readonly timings: readonly PagingTiming[];
}

/** The route reads one row more than the page, to know whether another follows. */
const PAGE = 51;

const SERVERS = ['http://127.0.0.1:9', 'http://127.0.0.1:9', 'http://127.0.0.1:9'];

async function build(
  url: string,
  tasks: number,
  config: AdminPagingConfig,
): Promise<{ kernel: Kernel; ms: number }> {
  const options = () =>
    sourceNodeOptions({ databaseUrl: url, targetUrls: SERVERS, secretEnv: config.secretEnv });
  const setup = await Kernel.boot(options());
  const serverIds = (await setup.get(ServerInfoProvider).getServers()).map((s) => s.id);
  await setup.stop();
  const started = performance.now();
  const target = parseDatabaseUrl(url);
  if (target.kind === 'sqlite') {
    const db = new Database(target.file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    writePagingBacklogSqlite(db, tasks, serverIds, `${config.run}-${tasks}`);
    db.close();
  } else {
    const client = new Client({ connectionString: target.url });
    await client.connect();
    try {
      await writePagingBacklogPostgres(client, tasks, serverIds, `${config.run}-${tasks}`);
    } finally {
      await client.end();
    }
  }
  const ms = performance.now() - started;
  return { kernel: await Kernel.boot(options()), ms };
}

/** The cursor of the row halfway through the backlog in logged order (untimed). */
async function halfway(kernel: Kernel, tasks: number) {
  return withSqlTransaction(kernel.get(Storage), async (sql) => {
    const [row] = await sql.all<{ task_id: unknown; id: unknown }>(
      'SELECT task_id, id FROM staging_synchronization ORDER BY task_id, id LIMIT 1 OFFSET ?',
      [Math.floor(tasks / 2)],
    );
    return { taskId: Number(row.task_id), synchronizationId: Number(row.id) };
  });
}

export const syncbusAdminPagingRole: ChildRole = async (config: AdminPagingConfig) => {
  const kernels: Kernel[] = [];
  const buildMs: number[] = [];
  try {
    for (const [i, tasks] of config.tasks.entries()) {
      const built = await build(config.databaseUrls[i], tasks, config);
      kernels.push(built.kernel);
      buildMs.push(built.ms);
      console.error(
        `  admin-paging: ${tasks.toLocaleString('en-US')} tasks written in ${(built.ms / 1000).toFixed(1)} s`,
      );
    }
    const lists = kernels.map((k) => k.get(SynchronizationInfoProvider));
    const deep = await Promise.all(kernels.map((k, i) => halfway(k, config.tasks[i])));
    const page = (filter: StagingTaskFilter) => (i: number) => lists[i].list({ ...filter, limit: PAGE });
    const queries: {
      name: string;
      run: (i: number) => Promise<unknown[] | Map<number, unknown>>;
      indexed?: boolean;
    }[] = [
      { name: 'first page', run: page({}) },
      { name: 'deep page (cursor halfway)', run: (i) => lists[i].list({ after: deep[i], limit: PAGE }) },
      { name: 'server', run: page({ server: 'target-2' }) },
      { name: 'server + status pending', run: page({ server: 'target-2', status: 'pending' }) },
      {
        name: `objectType (${PAGING_VALUES.rareObjectType}: 200 rows)`,
        run: page({ objectType: PAGING_VALUES.rareObjectType }),
      },
      { name: 'status failed (200 rows)', run: page({ status: 'failed' }) },
      {
        indexed: false,
        name: `user (${PAGING_VALUES.rareUser}: 200 rows)`,
        run: page({ user: PAGING_VALUES.rareUser }),
      },
      {
        name: `title '${PAGING_VALUES.commonTitle}' (common)`,
        run: page({ title: PAGING_VALUES.commonTitle }),
      },
      {
        indexed: false,
        name: `title '${PAGING_VALUES.rareTitle}' (200 rows)`,
        run: page({ title: PAGING_VALUES.rareTitle }),
      },
      {
        indexed: false,
        name: `title '${PAGING_VALUES.absentTitle}' (no row)`,
        run: page({ title: PAGING_VALUES.absentTitle }),
      },
      { name: 'GET /servers stats()', run: (i) => lists[i].stats() },
    ];
    const timings: PagingTiming[] = [];
    for (const query of queries) {
      const times: number[][] = config.tasks.map(() => []);
      const rows: number[] = [];
      for (const i of config.tasks.keys()) {
        const answer = await query.run(i); // warm-up: statement caches, pages in memory
        rows.push(answer instanceof Map ? answer.size : answer.length);
      }
      const until = performance.now() + config.maxMsPerQuery;
      for (let s = 0; s < config.samples && (s < 3 || performance.now() < until); s++) {
        for (const i of config.tasks.keys()) {
          const started = performance.now();
          await query.run(i);
          times[i].push(performance.now() - started);
        }
      }
      const timing = {
        name: query.name,
        medianMs: times.map((t) => median(t)),
        samples: times.map((t) => t.length),
        rows,
        indexed: query.indexed ?? true,
      };
      console.error(
        `  admin-paging: ${query.name}: ${timing.medianMs.map((m) => `${m.toFixed(2)} ms`).join(' / ')} (rows ${rows.join('/')})`,
      );
      timings.push(timing);
    }
    return { buildMs, timings } satisfies AdminPagingResult;
  } finally {
    for (const kernel of kernels) await kernel.stop();
  }
};
