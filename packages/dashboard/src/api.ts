// What the admin API sends and takes, written by hand to mirror packages/admin/src/admin-schemas.ts (the page
// depends on no server package; docs/admin-api.md is the contract).

export type Role = 'viewer' | 'operator';

/** `GET /session`: who the token is. */
export interface Session {
  readonly name: string;
  readonly role: Role;
}

/** `GET /node`. */
export interface NodeInfo {
  readonly nodeName: string;
  readonly version: string;
  readonly database: 'sqlite' | 'postgres';
  readonly uptimeSeconds: number;
  /** One per staging server and per connector queue (absent on older nodes). */
  readonly lag?: QueueLag[];
}

/** `GET /node` `lag`: how far one queue is behind. */
export interface QueueLag {
  readonly kind: 'server' | 'connector';
  readonly name: string;
  /** A connector's queue; absent for a server. */
  readonly direction?: Direction;
  readonly pending: number;
  readonly failed: number;
  readonly oldestPendingAt: number | null;
  /** Seconds the oldest pending task has waited; 0 when none waits. */
  readonly lagSeconds: number;
}

/** `GET /servers`: a target server with what waits for it. */
export interface Server {
  readonly id: number;
  readonly name: string;
  readonly displayName: string;
  readonly url: string;
  readonly enabled: boolean;
  /** Paused by an operator: tasks are logged for it, nothing is sent until it is resumed. */
  readonly paused: boolean;
  readonly pending: number;
  readonly failed: number;
  readonly oldestPendingAt: number | null;
}

/** One staging task waiting for one server. */
export interface StagingTaskRow {
  readonly taskId: number;
  readonly synchronizationId: number;
  readonly server: string;
  readonly taskType: string;
  readonly objectType: string;
  readonly objectGuid: string;
  readonly title: string;
  readonly createdAt: number;
  readonly status: string;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
}

/** One keyset page. */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** `GET /staging/tasks/:id`. */
export interface StagingTaskDetail {
  readonly taskId: number;
  readonly taskType: string;
  readonly objectType: string;
  readonly objectGuid: string;
  readonly title: string;
  readonly createdAt: number;
  readonly users: string[];
  readonly groups: string[];
  /** Servers the change passed through before this node logged it (absent on older nodes). */
  readonly origin?: string[];
  readonly data: unknown;
  readonly synchronizations: StagingTaskRow[];
}

/** The staging task list's filters (all optional). */
export interface StagingTaskFilter {
  server?: string;
  objectType?: string;
  objectGuid?: string;
  taskType?: string;
  status?: 'pending' | 'failed';
  user?: string;
  group?: string;
  title?: string;
  loggedFrom?: number;
  loggedBefore?: number;
}

export interface ActionResult {
  readonly affected: number;
  readonly message: string;
}

export type JobStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

/** `GET /jobs/:id`: a background synchronization. */
export interface Job {
  readonly id: string;
  readonly kind: string;
  readonly actor: string;
  readonly status: JobStatus;
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly startedAt: number;
  readonly finishedAt: number | null;
  readonly error: string | null;
}

/** `GET /audit`. */
export interface AuditEntry {
  readonly id: number;
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly target: unknown;
  readonly outcome: string;
  readonly detail: string;
}

/** One of a connector's queues. */
export interface ConnectorQueue {
  readonly pending: number;
  readonly failed: number;
  readonly oldestPendingAt: number | null;
}

/** `GET /integration/connectors`. */
export interface Connector {
  readonly name: string;
  readonly displayName: string;
  /** The package it comes from and its version; null for a connector this node does not load. */
  readonly package: string | null;
  readonly version: string | null;
  readonly enabled: boolean;
  /** Paused by an operator: tasks are logged for it and wait; `paused` then says so. */
  readonly pausedByOperator: boolean;
  /** Why it does not work now (config, init, a failed check, an outage, an operator's pause), and its next
   * probe (null: until the config, the node or the operator changes it); null while it works. */
  readonly paused: { readonly until: number | null; readonly reason: string } | null;
  readonly outgoing: ConnectorQueue;
  readonly incoming: ConnectorQueue;
}

export type Direction = 'outgoing' | 'incoming';

/** `GET /integration/tasks`: one task of a connector's queue. */
export interface ConnectorTaskRow {
  readonly taskId: number;
  readonly synchronizationId: number;
  readonly connector: string;
  readonly direction: Direction;
  readonly taskType: string;
  readonly objectType: string;
  readonly objectGuid: string;
  readonly title: string;
  readonly createdAt: number;
  readonly status: string;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
}

/** `GET /integration/sync-log`: the log holds errors only (of connectors and incoming tasks). */
export interface SyncLogEntry {
  readonly id: number;
  readonly connector: string;
  readonly taskId: number;
  readonly inbound: boolean;
  readonly taskType: string;
  readonly objectType: string;
  readonly objectGuid: string;
  readonly result: string;
  readonly error: string | null;
  readonly at: number;
}

/** `POST /integration/connectors/:name/check`. */
export interface ConnectorCheck {
  readonly ok: boolean;
  readonly message: string;
}

/** Which version a conflict's resolution keeps. */
export type ConflictTake = 'source' | 'target' | 'merged';

/** How a task met the object: edited here, created on both sides, or deleted here. */
export type ConflictKind = 'changed' | 'created-on-both' | 'deleted-on-target';

/** `GET /conflicts`: a task from a source that met an object changed on this node (docs/conflicts.md). */
export interface ConflictSummary {
  readonly id: number;
  readonly sourceServer: string;
  readonly taskGuid: string;
  readonly taskType: string;
  readonly objectType: string;
  readonly objectGuid: string;
  readonly title: string;
  readonly kind: ConflictKind;
  readonly policy: string;
  readonly status: 'open' | 'resolved';
  /** `held`, `overwritten`, `kept-target`, `merged`, `took-source`, `took-target`, `took-merged`, `superseded`. */
  readonly outcome: string;
  readonly createdAt: number;
  readonly resolvedAt: number | null;
  readonly resolvedBy: string | null;
}

/** One field that differs; a key is absent where that version has no such field. */
export interface ConflictField {
  readonly field: string;
  readonly base?: unknown;
  readonly source?: unknown;
  readonly target?: unknown;
  readonly changedOnSource: boolean;
  readonly changedOnTarget: boolean;
  /** Changed on both sides to different values (a merge takes the source's). */
  readonly clash: boolean;
}

/** `GET /conflicts/:id`: the record, its three versions (null: not there) and the fields that differ. */
export interface ConflictDetail extends ConflictSummary {
  readonly versions: {
    readonly base: Record<string, unknown> | null;
    readonly source: Record<string, unknown> | null;
    readonly target: Record<string, unknown> | null;
  };
  readonly fields: ConflictField[];
  /** Whether a person may resolve it now (held, or handled by its policy). */
  readonly resolvable: boolean;
  /** Whether a merge can work (a base and both versions). */
  readonly mergeable: boolean;
}
