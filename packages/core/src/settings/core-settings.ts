// The kernel's own part of the one config schema; modules add their sections through `@RegisterModule`.
import { z } from 'zod';
import { PROCESS_ROLES } from './process-role';

/** The kernel's settings: this node's name, database, logging, this process's role, plugins. */
export const CoreSettingsSchema = z.object({
  /** This node's name; targets see it as the source server of the tasks it sends. */
  nodeName: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, dot, dash or underscore')
    .default('local'),
  database: z
    .object({
      /** `sqlite:path/to/file.sqlite` (default), `sqlite::memory:`, or `postgres://user@host:5432/db`. */
      url: z.string().min(1).default('sqlite:syncbus.sqlite'),
      /**
       * Also create and alter the tables of entities no migration owns (the host's) straight from their classes:
       * for tests and prototypes. Modules' migrations run either way.
       */
      synchronize: z.boolean().default(false),
      /** SQLite: how long a writer waits for a lock before failing, in ms. */
      busyTimeoutMs: z.number().int().min(0).default(5000),
      /** PostgreSQL: connections in the pool. */
      poolSize: z.number().int().min(1).max(200).default(10),
      /**
       * SQLite: how often a background thread checkpoints the WAL into the database file, in ms, so commits never
       * pay for it. 0 leaves checkpoints to SQLite, inside whichever commit crosses its threshold.
       */
      checkpointIntervalMs: z.number().int().min(0).max(60_000).default(200),
    })
    .strict()
    .default({
      url: 'sqlite:syncbus.sqlite',
      synchronize: false,
      busyTimeoutMs: 5000,
      poolSize: 10,
      checkpointIntervalMs: 200,
    }),
  log: z
    .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
    .strict()
    .default({ level: 'info' }),
  /** What this process does: `all`, `worker`, `receiver` or `log-only` (see `ProcessRole`, docs/scaling.md). */
  role: z.enum(PROCESS_ROLES).default('all'),
  /**
   * Plugins to load: npm package names, or paths of package folders relative to the config file (`./models/cms`);
   * each names its entry under `"syncbus"` in its package.json.
   */
  plugins: z.array(z.string().min(1)).default([]),
});

export type CoreSettings = z.infer<typeof CoreSettingsSchema>;

/** Token of the parsed core settings. */
export const CoreSettings = Symbol('CoreSettings');

/** Environment variables that override config values (secrets and deployment details stay out of files). */
export const ENV_OVERRIDES: Readonly<Record<string, readonly string[]>> = {
  SYNCBUS_DATABASE_URL: ['database', 'url'],
  SYNCBUS_NODE_NAME: ['nodeName'],
  SYNCBUS_LOG_LEVEL: ['log', 'level'],
  SYNCBUS_ROLE: ['role'],
};
