// The extension point of the admin API: packages contribute route groups under /syncbus/admin/v1 without
// depending on @syncbus/admin, which serves them behind its tokens and roles and records their actions.
import type { SyncbusError } from '@syncbus/core';
import type { SqlExecutor } from '@syncbus/core/internal';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where the admin API lives. */
export const ADMIN_PREFIX = '/syncbus/admin/v1';

/** `viewer` reads and follows events; `operator` also acts (synchronize, retry, delete, enable, ...). */
export type AdminRole = 'viewer' | 'operator';

/** A caller the admin API knows: the token's name (for the audit trail) and its role. */
export interface AdminPrincipal {
  readonly name: string;
  readonly role: AdminRole;
}

/** What an audited action records: who by token name, what, on what, how it ended and what changed. */
export interface AuditRecord {
  readonly actor: string;
  readonly action: string;
  readonly target: Record<string, unknown>;
  readonly outcome: string;
  readonly detail: string;
}

/** The audit trail, as route groups use it. */
export interface AdminAuditTrail {
  /** Records an action in `sql`'s transaction: it commits, or rolls back, with what it records. */
  record(sql: SqlExecutor, entry: AuditRecord): Promise<void>;
  /** Records, in a transaction of its own, an action that has no transaction to join (refused, or a job start). */
  recordAlone(entry: AuditRecord): Promise<void>;
  /**
   * Records a refused action (nothing was done) with the refusal's code as its outcome and `detail` (default its
   * message), then answers it as every route does (`sendError`: the status its kind maps to, its body).
   */
  refuse(
    reply: FastifyReply,
    action: Pick<AuditRecord, 'actor' | 'action' | 'target'>,
    refusal: SyncbusError,
    detail?: string,
  ): Promise<FastifyReply>;
}

/** One live event as event-stream clients receive it: `event: <type>` and `data: <JSON>`. */
export interface AdminEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** What the admin API hands each route group when it registers. */
export interface AdminRouteContext {
  /** Largest page a list route may return (`admin.maxPageSize`). */
  readonly maxPageSize: number;
  readonly audit: AdminAuditTrail;
  /** Sends an event to the connected event-stream clients, never waiting for them. */
  publish(event: AdminEvent): void;
}

/**
 * A group of admin routes (servers, staging tasks, connectors, ...), bound (multi) under this token:
 * `{ provide: AdminRoutes, useExisting: MyRoutes }`. It registers into the API's scope (zod schemas compile there,
 * the authentication hook runs first) and gives every route `config: { role }`; a route without one needs
 * `operator`. Bound on a node without the admin module, a group is never resolved.
 */
export const AdminRoutes = Symbol('AdminRoutes');
/** A group of admin API routes (bound under the token of the same name). */
export interface AdminRoutes {
  /** Registers the group's routes under the admin prefix; `context` audits, publishes and pages. */
  register(app: FastifyInstance, context: AdminRouteContext): void;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, once the admin API's authentication hook has run. */
    adminPrincipal?: AdminPrincipal;
  }
  interface FastifyContextConfig {
    role?: AdminRole;
  }
}

/** How far behind one queue is: what waits for a staging server or a connector, and since when. */
export interface QueueLag {
  readonly kind: 'server' | 'connector';
  readonly name: string;
  /** A connector's queue direction; absent for servers. */
  readonly direction?: 'outgoing' | 'incoming';
  readonly pending: number;
  readonly failed: number;
  /** When the oldest pending task was logged (epoch ms); null when none waits. */
  readonly oldestPendingAt: number | null;
}

/**
 * Bound (multi) by each feature that keeps queues (staging, integration), so the admin API's `GET /node` reports
 * every queue's lag without knowing the features.
 */
export const QueueLagSource = Symbol('QueueLagSource');
/** A feature's queues, as `GET /node` reports their lag (bound under the token of the same name). */
export interface QueueLagSource {
  /** The lag of each of the feature's queues now. */
  queueLag(): Promise<QueueLag[]>;
}
