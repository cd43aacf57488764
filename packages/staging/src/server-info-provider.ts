// The registry of target servers (Kentico's ServerInfoProvider): read, add, edit, enable and disable them.
import { inject, injectable, Storage, type AlsoInTransaction, zodProblems } from '@syncbus/core';
import { sqlExecutorFor, UnresolvedSecretRef, withSqlTransaction } from '@syncbus/core/internal';
import { z } from 'zod';
import { StagingServer } from './entities/staging-server.entity';
import { StagingQueue } from './staging-queue';
import { DuplicateServerError, StagingValidationError, UnknownServerError } from './staging-errors';
import type { ServersSettings } from './staging-settings';

/** What `addServer` takes. The secret is a reference (`env:NAME`), resolved when tasks are sent. */
export const ServerInputSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, dot, dash or underscore')
      .max(100),
    displayName: z.string().min(1).max(200).optional(),
    url: z.url({ protocol: /^https?$/ }).max(1000),
    enabled: z.boolean().default(true),
    secret: UnresolvedSecretRef,
  })
  .strict();
/** Input of `addServer`. */
export type ServerInput = z.input<typeof ServerInputSchema>;
/** Input of `editServer`: any field but the name, and `paused` (an operator's switch, never in the config). */
export type ServerChanges = Partial<Omit<ServerInput, 'name'>> & { readonly paused?: boolean };

/** Reads and changes the staging servers of this node. */
@injectable()
export class ServerInfoProvider {
  constructor(
    @inject(Storage) private readonly storage: Storage,
    @inject(StagingQueue) private readonly queue: StagingQueue,
  ) {}

  private get repository() {
    return this.storage.dataSource.getRepository(StagingServer);
  }

  /** Servers ordered by name; `enabled` filters. */
  getServers(filter: { enabled?: boolean } = {}): Promise<StagingServer[]> {
    return this.repository.find({
      where: filter.enabled === undefined ? {} : { enabled: filter.enabled },
      order: { name: 'ASC' },
    });
  }

  /** The server with this id or name, or undefined. */
  async getServer(idOrName: number | string): Promise<StagingServer | undefined> {
    const where = typeof idOrName === 'number' ? { id: idOrName } : { name: idOrName };
    return (await this.repository.findOne({ where })) ?? undefined;
  }

  /**
   * Adds a server; throws `StagingValidationError` or `DuplicateServerError`. `alsoInTransaction` (an audit row)
   * commits with it.
   */
  async addServer(input: ServerInput, alsoInTransaction?: AlsoInTransaction): Promise<StagingServer> {
    const parsed = ServerInputSchema.safeParse(input);
    if (!parsed.success) throw new StagingValidationError('server', zodProblems(parsed.error));
    const { name, displayName, url, enabled, secret } = parsed.data;
    if (await this.getServer(name)) throw new DuplicateServerError(name);
    const server = this.repository.create({
      name,
      displayName: displayName ?? name,
      url,
      enabled,
      secretRef: secret,
    });
    return this.storage.transaction(async (manager) => {
      const saved = await manager.save(server);
      await alsoInTransaction?.(sqlExecutorFor(this.storage, manager), 1);
      return saved;
    });
  }

  /**
   * Changes a server's display name, URL, enabled flag or secret reference. `alsoInTransaction` (an audit row)
   * commits with the change.
   */
  async editServer(
    idOrName: number | string,
    changes: ServerChanges,
    alsoInTransaction?: AlsoInTransaction,
  ): Promise<StagingServer> {
    const server = await this.require(idOrName);
    const parsed = ServerInputSchema.omit({ name: true })
      .extend({ paused: z.boolean() })
      .partial()
      .safeParse(changes);
    if (!parsed.success) throw new StagingValidationError('server changes', zodProblems(parsed.error));
    const { displayName, url, enabled, paused, secret } = parsed.data;
    if (displayName !== undefined) server.displayName = displayName;
    if (url !== undefined) server.url = url;
    if (enabled !== undefined) server.enabled = enabled;
    if (paused !== undefined) server.paused = paused;
    if (secret !== undefined) server.secretRef = secret;
    return this.storage.transaction(async (manager) => {
      const saved = await manager.save(server);
      await alsoInTransaction?.(sqlExecutorFor(this.storage, manager), 1);
      return saved;
    });
  }

  /** Enables a server: changes are logged for it again and its pending tasks can be sent. */
  enableServer(idOrName: number | string, alsoInTransaction?: AlsoInTransaction): Promise<StagingServer> {
    return this.editServer(idOrName, { enabled: true }, alsoInTransaction);
  }

  /** Disables a server: new changes get no tasks for it; tasks already pending wait. */
  disableServer(idOrName: number | string, alsoInTransaction?: AlsoInTransaction): Promise<StagingServer> {
    return this.editServer(idOrName, { enabled: false }, alsoInTransaction);
  }

  /** Pauses a server: tasks are still logged for it, nothing is sent to it until it is resumed. */
  pauseServer(idOrName: number | string, alsoInTransaction?: AlsoInTransaction): Promise<StagingServer> {
    return this.editServer(idOrName, { paused: true }, alsoInTransaction);
  }

  /** Resumes a paused server: what was logged meanwhile is sent, in logged order. */
  resumeServer(idOrName: number | string, alsoInTransaction?: AlsoInTransaction): Promise<StagingServer> {
    return this.editServer(idOrName, { paused: false }, alsoInTransaction);
  }

  /**
   * Deletes a server with its synchronization rows, and the tasks no other server still waits for.
   * `alsoInTransaction` (an audit row) commits with it, told how many rows went.
   */
  async deleteServer(idOrName: number | string, alsoInTransaction?: AlsoInTransaction): Promise<void> {
    const server = await this.require(idOrName);
    await withSqlTransaction(this.storage, async (sql) => {
      const removed = await this.queue.removeTargetIn(sql, server.id);
      await sql.run('DELETE FROM staging_server WHERE id = ?', [server.id]);
      await alsoInTransaction?.(sql, removed);
    });
  }

  /** Makes the configured servers exist as configured (the `servers` section wins over earlier edits). */
  async upsertConfigured(servers: ServersSettings): Promise<void> {
    for (const config of servers) {
      const existing = await this.getServer(config.name);
      const values = {
        name: config.name,
        displayName: config.displayName ?? config.name,
        url: config.url,
        enabled: config.enabled,
        secretRef: config.secret.source,
      };
      await this.repository.save(
        existing ? this.repository.merge(existing, values) : this.repository.create(values),
      );
    }
  }

  private async require(idOrName: number | string): Promise<StagingServer> {
    const server = await this.getServer(idOrName);
    if (!server) throw new UnknownServerError(idOrName);
    return server;
  }
}
