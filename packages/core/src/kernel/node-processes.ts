// The live processes of a PostgreSQL node, from the database itself: each started process keeps one named
// connection open (its wake-up connection), and PostgreSQL drops it when the process dies.
import { PROCESS_APPLICATION_NAME } from '../queue/queue-wakeups';
import { withSqlRead } from '../storage/sql-executor';
import type { Storage } from '../storage/storage';

/** One live process of the node. */
export interface NodeProcess {
  /** `<host>:<pid>`, as lease owners name it (`leaseOwnerProcess`). */
  readonly process: string;
  /** Its `role` setting (`ProcessRole`). */
  readonly role: string;
  /** When its connection opened (epoch ms): about when the process started, or last reconnected. */
  readonly connectedAt: number;
  /** Whether it listens for wake-ups (it runs delivery loops or drains). */
  readonly listening: boolean;
}

/**
 * The node's live processes (started kernels on this database), oldest first; undefined on SQLite, where one
 * process at a time uses the file. A process counts as live while its connection is open: a SIGKILLed one goes
 * when the server notices the closed socket, at once on one machine, within TCP keepalive across a network.
 */
export async function listNodeProcesses(storage: Storage): Promise<NodeProcess[] | undefined> {
  if (storage.kind !== 'postgres') return undefined;
  const rows = await withSqlRead(storage, (sql) =>
    sql.all<{ name: string; since: unknown; query: string | null }>(
      `SELECT application_name AS name, (extract(epoch FROM backend_start) * 1000)::bigint AS since, query
         FROM pg_stat_activity
        WHERE datname = current_database() AND application_name LIKE ? AND pid <> pg_backend_pid()
        ORDER BY backend_start`,
      [`${PROCESS_APPLICATION_NAME} %`],
    ),
  );
  return rows.flatMap((row) => {
    const [, role, process] = row.name.split(' ');
    if (!role || !process) return [];
    return [{ process, role, connectedAt: Number(row.since), listening: /^LISTEN /.test(row.query ?? '') }];
  });
}
