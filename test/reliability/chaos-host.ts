// One syncbus node of the fault suite in its own process, running the compiled code as a deployment does:
// `node test/dist/reliability/chaos-host.js '<ChaosHostOptions as JSON>'`. A source drains with the auto-sync
// plugin; a target receives over HTTP and records every change of an article, and every host task it applies, in an
// audit table, so the tests can judge delivery from the target's database alone. It writes one line of JSON,
// `{"event":"ready",...}`, on stdout once booted; logs go to stderr; secrets come from its environment.
import { createLogger, inject, Kernel, Module, RegisterModule } from '@syncbus/core';
import { ObjectApplier } from '@syncbus/core/internal';
import { ServerModule, SyncbusHttpServer } from '@syncbus/server';
import { StagingModule } from '@syncbus/staging';
import { writeSync } from 'node:fs';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { contentModel } from '../support/content-model';

/** What a test passes on the command line. */
export interface ChaosHostOptions {
  readonly role: 'source' | 'target';
  /** `nodeName`; workers of one source share it (the target's ledger is kept per source name). */
  readonly nodeName: string;
  readonly databaseUrl: string;
  /** PostgreSQL pool size. */
  readonly poolSize?: number;
  /** Source: the target servers (`secret` is a reference, `env:NAME`). */
  readonly servers?: readonly { name: string; url: string; secret: string }[];
  /** Target: who may send, and the secret reference each signs with. */
  readonly acceptFrom?: readonly { server: string; secret: string }[];
  readonly staging?: Record<string, unknown>;
  readonly stagingAutoSync?: Record<string, unknown>;
  readonly logLevel?: 'error' | 'warn' | 'info';
}

/** The host task type the backlog logs: applying it appends one audit row (`bump`, the version it carries). */
export const BUMP_TASK_TYPE = 'bump';

/**
 * The target's audit: a trigger per write on `article` and a row per applied `bump`, in apply order (SQLite has one
 * writer, so the autoincrement id is the order the changes were committed in).
 */
export class CreateChaosAudit1800000000000 implements MigrationInterface {
  name = 'CreateChaosAudit1800000000000';

  async up(runner: QueryRunner): Promise<void> {
    if (runner.connection.options.type !== 'better-sqlite3') {
      throw new Error('the chaos audit is written for SQLite targets only');
    }
    await runner.query(
      `CREATE TABLE chaos_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, object_guid varchar NOT NULL,
         kind varchar NOT NULL, version integer NOT NULL)`,
    );
    const audit = (kind: string, row: 'NEW' | 'OLD') =>
      `INSERT INTO chaos_audit (object_guid, kind, version) VALUES (${row}.guid, '${kind}', ${row}.views);`;
    await runner.query(
      `CREATE TRIGGER chaos_audit_ins AFTER INSERT ON article BEGIN ${audit('ins', 'NEW')} END`,
    );
    await runner.query(
      `CREATE TRIGGER chaos_audit_upd AFTER UPDATE ON article BEGIN ${audit('upd', 'NEW')} END`,
    );
    await runner.query(
      `CREATE TRIGGER chaos_audit_del AFTER DELETE ON article BEGIN ${audit('del', 'OLD')} END`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE chaos_audit');
  }
}

/** Registers the `bump` task type on the target before the HTTP server starts taking requests. */
@RegisterModule({ migrations: [CreateChaosAudit1800000000000] })
export class ChaosAuditModule extends Module {
  constructor(@inject(ObjectApplier) private readonly applier: ObjectApplier) {
    super('ChaosAudit');
  }

  override onInit(): void {
    this.applier.registerTaskType(BUMP_TASK_TYPE, async (snapshot, manager) => {
      await manager.query('INSERT INTO chaos_audit (object_guid, kind, version) VALUES (?, ?, ?)', [
        snapshot.objectGuid,
        BUMP_TASK_TYPE,
        Number((snapshot.data as { views?: unknown }).views),
      ]);
    });
  }
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as ChaosHostOptions;
  const target = options.role === 'target';
  const kernel = await Kernel.boot({
    config: {
      nodeName: options.nodeName,
      database: { url: options.databaseUrl, ...(options.poolSize ? { poolSize: options.poolSize } : {}) },
      plugins: target ? [] : ['@syncbus/plugin-staging-autosync'],
      staging: {
        ...options.staging,
        ...(target ? { receiver: { sources: options.acceptFrom ?? [] } } : {}),
      },
      servers: options.servers ?? [],
      ...(target
        ? { http: { enabled: true, host: '127.0.0.1', port: 0 } }
        : { stagingAutoSync: options.stagingAutoSync ?? {} }),
    },
    modules: target ? [StagingModule, ServerModule, ChaosAuditModule] : [StagingModule],
    ...contentModel,
    handleSignals: true,
    logger: createLogger({ level: options.logLevel ?? 'warn', destination: process.stderr }),
  });
  const url = target ? kernel.get(SyncbusHttpServer).url : undefined;
  writeSync(1, `${JSON.stringify({ event: 'ready', pid: process.pid, url })}\n`);
}

// Only when run as a program: the tests import this file for its types and the task type's name.
if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`chaos host failed to boot: ${(error as Error).stack}\n`);
    process.exit(1);
  });
}
