// Wakes this process's queue workers the moment any process commits due rows on PostgreSQL: one listening
// connection per process hears the NOTIFY that a queue table's trigger sends inside the committing transaction.
import type { Client } from 'pg';
import { Observable, Subject } from 'rxjs';
import type { Logger } from '../logging/logger';
import { loadDatabaseDriver, type DatabaseDrivers } from '../storage/database-driver';
import { retryDelayMs } from './backoff';
import { thisProcess } from './lease-owner';

/** One wake-up on a channel. */
export interface QueueWakeup {
  /**
   * What the trigger sent (for a synchronization table: the target id, see `queueWakeupTriggers`). Undefined after
   * the listening connection (re)connected: notifications committed while it was down reached nobody, so a
   * listener looks at every target once (the catch-up).
   */
  readonly payload?: string;
}

/** How the listening connection connects and reconnects. */
export interface QueueWakeupOptions {
  /**
   * What the process is, as `syncbus workers list` shows it: the connection's `application_name` becomes
   * `syncbus <role> <host>:<pid>` (at most 63 characters, PostgreSQL's limit). Default role `all`.
   */
  readonly role?: string;
  /** Longest wait for the connection to open, in ms. */
  readonly connectTimeoutMs: number;
  /** Waits between reconnect attempts while the database stays unreachable: doubling, with jitter. */
  readonly backoff: { readonly baseDelayMs: number; readonly maxDelayMs: number };
}

/** Connect within 10 s; reconnect after 100 ms doubling to 5 s. */
export const WAKEUP_DEFAULTS: QueueWakeupOptions = {
  connectTimeoutMs: 10_000,
  backoff: { baseDelayMs: 100, maxDelayMs: 5_000 },
};

/** The prefix of every syncbus process's `application_name` on PostgreSQL. */
export const PROCESS_APPLICATION_NAME = 'syncbus';

/** `syncbus <role> <host>:<pid>`, cut to PostgreSQL's 63 characters. */
function processApplicationName(role: string): string {
  return `${PROCESS_APPLICATION_NAME} ${role} ${thisProcess()}`.slice(0, 63);
}

/** How often an idle wake-up connection is probed, and how long a probe may take before it counts as lost. */
const PROBE_MS = 30_000;
const PROBE_TIMEOUT_MS = 10_000;

/** A PostgreSQL channel name `LISTEN` takes unquoted: what queue triggers use. */
const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Cross-process wake-ups, bound in the container as `QueueWakeups`. On PostgreSQL the first `on(channel)` opens
 * one dedicated connection (not from the pool: a pooled connection is handed to others between queries), named
 * after the process (`syncbus <role> <host>:<pid>`), that
 * `LISTEN`s to every channel asked for. When it drops (a restart, `pg_terminate_backend`, a network cut) it
 * reconnects with backoff and then wakes every listener once, since what was sent meanwhile is lost. Workers
 * keep their poll as the safety net. On SQLite there is one process, whose own after-events wake its workers:
 * nothing is opened and nothing is emitted.
 */
export class QueueWakeups {
  private readonly channels = new Map<string, Subject<QueueWakeup>>();
  private readonly pg?: DatabaseDrivers['postgres'];
  private client?: Client;
  private up = false;
  private closed = false;
  private failures = 0;
  private reconnect?: NodeJS.Timeout;
  private probe?: NodeJS.Timeout;
  private queries: Promise<void> = Promise.resolve();

  constructor(
    /** The PostgreSQL URL; undefined on SQLite. */
    private readonly url: string | undefined,
    private readonly logger: Logger,
    private readonly options: QueueWakeupOptions = WAKEUP_DEFAULTS,
  ) {
    // Loaded here, not at import: `pg` is an optional peer that a SQLite-only host does not install.
    if (url !== undefined) this.pg = loadDatabaseDriver('postgres');
  }

  /** For health checks: `unused` (SQLite, or nothing in this process listens), `listening` or `reconnecting`. */
  get state(): 'unused' | 'listening' | 'reconnecting' {
    if (this.url === undefined || this.channels.size === 0) return 'unused';
    return this.up ? 'listening' : 'reconnecting';
  }

  /** True while the listening connection is open and listening (always false on SQLite). */
  get listening(): boolean {
    return this.up;
  }

  /** Wake-ups on `channel` from every process on this database, this one included. */
  on(channel: string): Observable<QueueWakeup> {
    if (!CHANNEL.test(channel))
      throw new Error(`'${channel}' is not a queue channel name (lower-case letters, digits and _)`);
    return new Observable<QueueWakeup>((subscriber) => {
      let subject = this.channels.get(channel);
      if (!subject) {
        subject = new Subject<QueueWakeup>();
        this.channels.set(channel, subject);
        this.listen(channel);
      }
      return subject.subscribe(subscriber);
    });
  }

  /**
   * Opens the connection now, listening or not: a started process is then visible to `syncbus workers list`
   * (`listNodeProcesses`) for as long as it lives. The kernel calls it once the modules have started.
   */
  announce(): void {
    if (this.url !== undefined && !this.closed && !this.client && !this.reconnect) void this.connect();
  }

  /** Closes the listening connection; no reconnect follows. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnect);
    clearInterval(this.probe);
    const client = this.client;
    this.client = undefined;
    this.up = false;
    for (const subject of this.channels.values()) subject.complete();
    await client?.end().catch(() => undefined);
  }

  private listen(channel: string): void {
    // Reconnecting: the next connection LISTENs to every channel known by then.
    if (this.url === undefined || this.closed || this.reconnect) return;
    if (!this.client) return void this.connect();
    // Connecting: the connection LISTENs to every channel known once it is open. One query at a time.
    const client = this.client;
    if (this.up)
      this.queries = this.queries
        .then(() => client.query(`LISTEN ${channel}`))
        .then(
          () => undefined,
          (error: unknown) => this.lost(client, error),
        );
  }

  private async connect(): Promise<void> {
    this.reconnect = undefined;
    if (this.closed || this.client || !this.pg) return;
    const client = new this.pg.Client({
      connectionString: this.url,
      connectionTimeoutMillis: this.options.connectTimeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      application_name: processApplicationName(this.options.role ?? 'all'),
    });
    this.client = client;
    // Attached before connecting: an 'error' event without a listener would end the process.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) =>
      this.channels.get(message.channel)?.next({ payload: message.payload ?? '' }),
    );
    try {
      await client.connect();
      for (const channel of this.channels.keys()) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      return this.lost(client, error);
    }
    if (this.client !== client) return;
    if (this.failures > 0) this.logger.info('the queue wake-up connection is back; catching up');
    this.startProbe(client);
    this.up = true;
    this.failures = 0;
    for (const subject of this.channels.values()) subject.next({ payload: undefined });
  }

  /**
   * A connection cut without a word (a network partition) is silent: TCP keepalive gives up only after minutes.
   * A cheap query every `PROBE_MS`, bounded by `PROBE_TIMEOUT_MS`, notices it and reconnects.
   */
  private startProbe(client: Client): void {
    clearInterval(this.probe);
    this.probe = setInterval(() => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error('the wake-up connection did not answer')),
          PROBE_TIMEOUT_MS,
        );
      });
      this.queries = this.queries
        .then(() => Promise.race([client.query('SELECT 1'), timeout]))
        .then(
          () => clearTimeout(timer),
          (error: unknown) => {
            clearTimeout(timer);
            this.lost(client, error);
          },
        );
    }, PROBE_MS);
    this.probe.unref();
  }

  /** The connection failed or ended: drop it and try again after the backoff, unless closing. */
  private lost(client: Client, error?: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.up = false;
    clearInterval(this.probe);
    this.queries = Promise.resolve();
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.failures += 1;
    if (this.failures === 1)
      this.logger.warn(
        { err: error instanceof Error ? error.message : undefined },
        'the queue wake-up connection was lost; reconnecting (workers poll meanwhile)',
      );
    const delay = retryDelayMs(this.failures, { maxAttempts: 1, ...this.options.backoff });
    this.reconnect = setTimeout(() => void this.connect(), delay);
    // Like every background timer of a node: never what keeps the process alive.
    this.reconnect.unref();
  }
}
