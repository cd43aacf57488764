// The audit trail: every operator action is recorded in the transaction of the action itself, and listed newest
// first for the API and `syncbus audit list`.
import { inject, injectable, Storage, type SyncbusError } from '@syncbus/core';
import { withSqlTransaction, type SqlExecutor } from '@syncbus/core/internal';
import { sendError, type AdminAuditTrail, type AuditRecord } from '@syncbus/server';
import type { FastifyReply } from 'fastify';
import { LessThan } from 'typeorm';
import { AdminAuditEntry } from './admin-audit-entry.entity';

/** Writes and reads `admin_audit`. */
@injectable()
export class AdminAudit implements AdminAuditTrail {
  constructor(@inject(Storage) private readonly storage: Storage) {}

  /** Records an action in `sql`'s transaction: it commits, or rolls back, with what it records. */
  async record(sql: SqlExecutor, entry: AuditRecord): Promise<void> {
    await sql.run(
      'INSERT INTO admin_audit (at, actor, action, target, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)',
      [Date.now(), entry.actor, entry.action, JSON.stringify(entry.target), entry.outcome, entry.detail],
    );
  }

  /**
   * Records, in a transaction of its own, an action that has no transaction to join: one that was refused (it
   * changed nothing), or one that starts a job.
   */
  async recordAlone(entry: AuditRecord): Promise<void> {
    await withSqlTransaction(this.storage, (sql) => this.record(sql, entry));
  }

  /**
   * Refuses an action: records it with the refusal's code as its outcome (`detail`, default the message), then
   * answers it as every route does (`sendError`). Nothing else was done.
   */
  async refuse(
    reply: FastifyReply,
    action: Pick<AuditRecord, 'actor' | 'action' | 'target'>,
    refusal: SyncbusError,
    detail = refusal.message,
  ): Promise<FastifyReply> {
    await this.recordAlone({ ...action, outcome: refusal.code, detail });
    return sendError(reply, refusal);
  }

  /** Entries newest first; `before` (an entry id) continues a previous page. */
  list(options: { limit: number; before?: number }): Promise<AdminAuditEntry[]> {
    return this.storage.dataSource.getRepository(AdminAuditEntry).find({
      where: options.before === undefined ? {} : { id: LessThan(options.before) },
      order: { id: 'DESC' },
      take: options.limit,
    });
  }
}
