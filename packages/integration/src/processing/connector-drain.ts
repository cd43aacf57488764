// Drains one connector's queues in logged order: claim with leases, call the connector, record what it answered.
import {
  DrainLoop,
  type ClaimedSynchronization,
  type DrainPass,
  type QueueBatch,
  type QueueWorker,
} from '@syncbus/core/internal';
import type { Logger } from '@syncbus/core';
import type { LoadedConnector } from '../connectors/loaded-connector';
import type { IncomingTaskApplier } from '../incoming/incoming-task-applier';
import type { IntegrationSettings } from '../integration-settings';
import type { IntegrationTask } from '../tasks/integration-task';
import { claimedTask, type TaskDirection } from '../tasks/integration-task-store';
import { callForVerdict, callWithTimeLimit, errorMessage } from './connector-call';
import { IntegrationProcessResult, type ProcessingVerdict } from './integration-process-result';
import type { IntegrationSyncLog, IntegrationSyncLogRecord } from './integration-sync-log';

/** What a drain works with (the processor's services). */
export interface DrainContext {
  readonly settings: IntegrationSettings;
  /**
   * The queue workers of the two directions, each over its queue: one lease owner and one outage backoff per
   * connector for both.
   */
  readonly workers: Readonly<Record<TaskDirection, QueueWorker>>;
  readonly syncLog: IntegrationSyncLog;
  readonly incoming: IncomingTaskApplier;
  readonly logger: Logger;
  /** Re-reads the connector's switch from its row (the CLI or another node may have changed it). */
  readonly refreshEnabled: (connector: LoadedConnector) => Promise<void>;
  /** Writes the connector's problem and next probe (null: none) to its row. */
  readonly recordProblem: (connector: LoadedConnector, until: number | null) => Promise<void>;
}

/**
 * How long the rows of a connector that is disabled, paused or cannot start (config, init) are put off; lifting
 * the hold makes them due at once (the drain that sees it lifted, on its first ready pass after a start too, and
 * `IntegrationConnectorInfoProvider` in the process that lifts it), so this only bounds how often a hold rewrites them.
 */
const HELD_MS = 60 * 60_000;

/**
 * What every row held by the connector's own state says first (`connector 'crm' is paused; ...`), so lifting the
 * hold finds exactly those rows; a task's own error says something else and keeps its backoff.
 */
export function connectorHoldPrefix(name: string): string {
  return `connector '${name}' `;
}

/** What a held row says while the connector is disabled or paused. */
export function connectorHoldReasons(name: string): { disabled: string; paused: string } {
  return {
    disabled: `${connectorHoldPrefix(name)}is disabled; its tasks wait until it is enabled again`,
    paused: `${connectorHoldPrefix(name)}is paused; its tasks wait until it is resumed`,
  };
}

/**
 * The background worker of one connector, on core's `DrainLoop` (kicks coalesce into passes, idle sleeps until
 * the next due row or the poll interval, a throwing pass backs off) and core's `QueueWorker` (claims, leases, one
 * settle per batch, hold-back, the outage backoff); what is its own is the connector's state (checks, holds,
 * pauses) and calling it row by row. Everything it does runs one piece at a time
 * (`exclusive`), so the seed's immediate `processInternalTask` calls and the background passes keep the logged order.
 */
export class ConnectorDrain {
  private stopped = false;
  private readonly loop: DrainLoop;
  private tail: Promise<unknown> = Promise.resolve();
  private checked = false;
  private nextCheckAt = 0;
  /** Rows may still be held by a disable or pause (of this run or an earlier one): the first ready pass looks. */
  private holding = true;
  /** Tasks a `processNow` call waits to take: a pass that claims one leaves it (and its object) to that call. */
  private readonly reserved = new Set<number>();

  constructor(
    readonly connector: LoadedConnector,
    private readonly context: DrainContext,
  ) {
    const { settings, logger } = context;
    this.loop = new DrainLoop({
      drain: () => this.exclusive(() => this.pass()),
      pollIntervalMs: settings.pollIntervalMs,
      backoff: { baseDelayMs: settings.retry.baseDelayMs, maxDelayMs: settings.retry.maxDelayMs },
      onError: (error) =>
        logger.error({ err: error, connector: connector.name }, 'integration drain pass failed'),
    });
  }

  /**
   * Checks the connector (config, init, `check()`, holds) before the node is reported ready, so its problem is on
   * its row and its waiting tasks from boot on; then starts the loop.
   */
  async start(): Promise<void> {
    if (this.context.settings.enabled) await this.exclusive(() => this.ready());
    this.loop.start();
  }

  /** Ends the loop after the task in hand; claimed rows not yet processed are given back. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop.stop();
    await this.tail.catch(() => undefined);
  }

  /** New work may be due: run a pass now (or right after the one in hand) instead of after the poll interval. */
  wake(): void {
    this.loop.kick();
  }

  /** Resolves once what this drain has started (a pass, `processNow` calls) is done. */
  settled(): Promise<void> {
    return this.exclusive(() => Promise.resolve());
  }

  /** Runs `fn` after everything this drain started before it. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Processes one outgoing task now (the seed's `processInternalTask`), or answers undefined when it cannot. */
  async processNow(task: IntegrationTask): Promise<IntegrationProcessResult | undefined> {
    if (task.id) this.reserved.add(task.id);
    try {
      return await this.exclusive(() => this.processReserved(task));
    } finally {
      if (task.id) this.reserved.delete(task.id);
    }
  }

  private async processReserved(task: IntegrationTask): Promise<IntegrationProcessResult | undefined> {
    const { settings } = this.context;
    if (!settings.enabled || !settings.processInternal || !task.id || !(await this.ready())) return undefined;
    return (await this.work('outgoing', { limit: 1, taskIds: [task.id] }, task.id)).results.get(task.id);
  }

  /** One batch of a direction through its queue worker; what the connector answered, by task id. */
  private async work(
    direction: TaskDirection,
    claim: { readonly limit: number; readonly taskIds?: readonly number[] },
    forTask?: number,
  ): Promise<{ claimed: number; results: Map<number, IntegrationProcessResult> }> {
    const { settings, workers } = this.context;
    const results = new Map<number, IntegrationProcessResult>();
    const { claimed } = await workers[direction].pass({
      targetId: this.connector.id,
      ...claim,
      leaseMs: settings.leaseMs,
      retry: settings.retry,
      maxBatches: 1,
      process: (batch) => this.processRows(direction, batch, results, forTask),
    });
    return { claimed, results };
  }

  /** One pass of the loop: a round, then when work is next due (only the directions switched on count). */
  private async pass(): Promise<DrainPass> {
    if (this.stopped) return {};
    await this.context.refreshEnabled(this.connector);
    if (await this.round()) return { worked: true, nextDueAt: 0 };
    const { settings, workers } = this.context;
    // Paused by a failed check or an outage: the loop sleeps until the next probe (a kick meanwhile is cheap).
    if (this.connector.problem?.kind === 'check') return { worked: false, nextDueAt: this.nextCheckAt };
    if (!settings.enabled || !this.connector.enabled || this.connector.problem) return { worked: false };
    const dues = await Promise.all(
      this.directions().map((d) => workers[d].queue.nextDueAt(this.connector.id)),
    );
    const known = dues.filter((d): d is number => d !== undefined);
    return { worked: false, nextDueAt: known.length === 0 ? undefined : Math.min(...known) };
  }

  /** One round: a batch from each direction that is switched on. True when something was claimed. */
  private async round(): Promise<boolean> {
    const { settings } = this.context;
    if (!settings.enabled || !(await this.ready())) return false;
    let claimed = false;
    for (const direction of this.directions()) {
      if (this.stopped) break;
      if ((await this.work(direction, { limit: settings.batchSize })).claimed > 0) claimed = true;
    }
    return claimed;
  }

  /** The directions this node processes (`processInternal`, `processExternal`). */
  private directions(): TaskDirection[] {
    const { settings } = this.context;
    const directions: TaskDirection[] = [];
    if (settings.processInternal) directions.push('outgoing');
    if (settings.processExternal) directions.push('incoming');
    return directions;
  }

  /** Both directions' queues: a hold or a pause concerns the connector, whichever way its tasks go. */
  private queues() {
    return [this.context.workers.outgoing.queue, this.context.workers.incoming.queue];
  }

  /**
   * Whether the connector can work now: enabled, config and init fine, `check()` passed (re-checked with backoff
   * after a failure or an outage: one probe at a time, as a circuit breaker half-opens). When it cannot, the reason
   * is written on its waiting rows, on those logged later too, so nothing waits silently.
   */
  private async ready(): Promise<boolean> {
    const connector = this.connector;
    const hold = async (reason: string) => {
      await this.note(reason, Date.now() + HELD_MS);
      this.holding = true;
      return false;
    };
    if (!connector.enabled) return hold(connectorHoldReasons(connector.name).disabled);
    if (connector.paused) return hold(connectorHoldReasons(connector.name).paused);
    if (connector.problem && connector.problem.kind !== 'check') return hold(this.pausedReason());
    if (!this.checked || (connector.problem && Date.now() >= this.nextCheckAt)) {
      if (connector.problem && Date.now() < this.nextCheckAt) return false;
      // The row may still hold a problem an earlier run of this node recorded: the first pass clears it.
      const first = !this.checked;
      try {
        await callWithTimeLimit(
          () => connector.instance.check(),
          this.context.settings.callTimeoutMs,
          `${connector.name}.check`,
        );
        this.checked = true;
        // `outages` stays: after an outage the next task is the probe, and only its answer closes the circuit.
        if (connector.problem)
          this.context.logger.info({ connector: connector.name }, 'connector check passes again');
        if (connector.problem || first) {
          connector.problem = undefined;
          await this.context.recordProblem(connector, null);
        }
      } catch (error) {
        this.checked = true;
        await this.pause(
          `check() failed: ${errorMessage(error)}`,
          this.context.workers.outgoing.outages.down(this.connector.id, this.context.settings.retry),
        );
        this.context.logger.warn(
          { connector: connector.name, problem: connector.problem!.message },
          'connector check failed',
        );
      }
    }
    if (connector.problem) {
      await this.note(this.pausedReason(), this.nextCheckAt);
      return false;
    }
    if (this.holding) {
      // The hold is lifted: what it put off is due now, in logged order (in this drain's turn, so no note of its
      // own can put rows off after this).
      for (const queue of this.queues())
        await queue.makeDueHeldBy(connector.id, connectorHoldPrefix(connector.name));
      this.holding = false;
    }
    return true;
  }

  /**
   * Pauses the connector until the next probe at `until`: `integration.retry`'s backoff over its outages in a row,
   * as the queue workers' backoff (shared by both directions) answered it.
   */
  private async pause(message: string, until: number): Promise<void> {
    this.nextCheckAt = until;
    this.connector.problem = { kind: 'check', message };
    await this.context.recordProblem(this.connector, this.nextCheckAt);
  }

  /** When the paused connector is probed next (epoch ms); undefined when it is not paused by a check or an outage. */
  get pausedUntil(): number | undefined {
    return this.connector.problem?.kind === 'check' ? this.nextCheckAt : undefined;
  }

  /** What the rows waiting for a connector with a problem say (its problem must be set). */
  private pausedReason(): string {
    return this.pausedBecause(this.connector.problem!.message);
  }

  private pausedBecause(problem: string): string {
    return `${connectorHoldPrefix(this.connector.name)}cannot work now: ${problem}`;
  }

  /**
   * Writes `reason` on the rows waiting for this connector, due again at `until` (the next probe, or the end of a
   * hold). Rows put off are not due before then, so each pass writes only rows logged since, by any process.
   */
  private async note(reason: string, until: number): Promise<void> {
    for (const queue of this.queues()) await queue.annotate(this.connector.id, reason, until);
  }

  /**
   * Processes a claimed batch in order (a failed or skipped object holds back its later rows), recording each
   * outcome, the sync log's entries with them, for the worker's one settle. Returns the failures to log once settled.
   */
  private async processRows(
    direction: TaskDirection,
    batch: QueueBatch,
    results: Map<number, IntegrationProcessResult>,
    forTask?: number,
  ): Promise<() => void> {
    const rows = batch.rows;
    const log: IntegrationSyncLogRecord[] = [];
    const failures: { task: IntegrationTask; attempt: number; error: string }[] = [];
    try {
      for (const [index, row] of rows.entries()) {
        if (this.stopped || !this.connector.enabled || this.connector.problem) {
          // Stopping, disabled, or paused by an outage the previous row met: the rest go back, no attempt counted.
          const reason = this.stopped
            ? undefined
            : this.connector.problem
              ? this.pausedReason()
              : connectorHoldReasons(this.connector.name).disabled;
          batch.postpone(
            rows.slice(index).map((r) => r.id),
            this.connector.problem ? this.nextCheckAt : Date.now(),
            reason,
          );
          break;
        }
        // A task a `processNow` call waits for is that call's to process (it returns the result), not a pass's.
        if (direction === 'outgoing' && row.taskId !== forTask && this.reserved.has(row.taskId))
          batch.hold(row.objectKey);
        if (batch.heldBack(row)) continue;
        const task = claimedTask(row);
        if (!task) {
          batch.complete(row.id);
          continue;
        }
        const verdict = await this.call(direction, task);
        if (verdict.unavailable) {
          // The external system is down, not this task: pause the connector, count no attempt, probe later.
          const problem = `the external system is unavailable: ${verdict.message ?? 'no reason given'}`;
          await this.pause(problem, batch.targetDown(this.pausedBecause(problem), verdict.notBefore));
          this.context.logger.warn(
            { connector: this.connector.name, problem, until: this.nextCheckAt },
            'external system unavailable; connector paused',
          );
          continue;
        }
        // Any verdict but "unavailable" is the external system answering: its outages in a row start again.
        batch.heard();
        const failure = this.noteVerdict(row, task, verdict, batch, log);
        if (failure) failures.push(failure);
        results.set(task.id, verdict.result);
      }
    } finally {
      // A sync-log entry commits with its row's outcome, also when a later row threw: the worker still settles
      // what was recorded.
      if (log.length > 0) batch.alsoInSettle((sql) => this.context.syncLog.recordIn(sql, log));
    }
    return () => {
      for (const failure of failures) this.logFailure(failure);
    };
  }

  private call(direction: TaskDirection, task: IntegrationTask): Promise<ProcessingVerdict> {
    if (direction === 'incoming') return this.context.incoming.apply(this.connector, task);
    const method = `${this.connector.name}.processQueuedTask`;
    return callForVerdict(
      () => this.connector.instance.processQueuedTask(task),
      this.context.settings.callTimeoutMs,
      method,
    );
  }

  /** Notes what the connector answered for a row in its batch; returns the failure to log, if it failed. */
  private noteVerdict(
    row: ClaimedSynchronization,
    task: IntegrationTask,
    verdict: ProcessingVerdict,
    batch: QueueBatch,
    log: IntegrationSyncLogRecord[],
  ): { task: IntegrationTask; attempt: number; error: string } | undefined {
    const { settings } = this.context;
    const connectorId = this.connector.id;
    switch (verdict.result) {
      case IntegrationProcessResult.OK:
        batch.complete(row.id);
        return undefined;
      case IntegrationProcessResult.SkipNow:
        batch.postpone(
          [row.id],
          Date.now() + settings.skipDelayMs,
          `SkipNow: ${verdict.message ?? 'the connector asked to try again later'}`,
        );
        batch.hold(row.objectKey);
        return undefined;
      case IntegrationProcessResult.ErrorAndSkip: {
        const message = verdict.message ?? 'the connector answered ErrorAndSkip';
        log.push({ connectorId, task, result: verdict.result, error: message });
        batch.complete(row.id);
        return undefined;
      }
      default: {
        const message = verdict.message ?? 'the connector answered Error';
        log.push({ connectorId, task, result: verdict.result, error: message });
        batch.fail(row, { error: message, final: verdict.final, notBefore: verdict.notBefore });
        return { task, attempt: row.attempts + 1, error: message };
      }
    }
  }

  private logFailure({
    task,
    attempt,
    error,
  }: {
    task: IntegrationTask;
    attempt: number;
    error: string;
  }): void {
    this.context.logger.warn(
      {
        connector: this.connector.name,
        taskId: task.id,
        objectType: task.objectType,
        objectGuid: task.objectGuid,
        error,
      },
      `integration task failed (attempt ${attempt})`,
    );
  }
}
