// Long admin actions (synchronize all of a server, a large selection) run as background jobs in this process: an
// id to follow them by, progress, and cancellation between batches.
import { inject, injectable, Logger, type OnStop } from '@syncbus/core';
import { AdminEventStream } from './admin-event-stream';
import { randomUUID } from 'node:crypto';

/** A job as the API shows it. */
export interface AdminJob {
  readonly id: string;
  readonly kind: string;
  /** Who started it (the token's name). */
  readonly actor: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  /** Items to do (e.g. tasks pending for the server), as known when it started or once it has found out. */
  total: number;
  /** Items done, and items that failed, so far. */
  done: number;
  failed: number;
  readonly startedAt: number;
  finishedAt: number | null;
  /** What went wrong, for a failed job; the last error a batch met otherwise. */
  error: string | null;
}

/** What a job's work gets: a signal to stop at, and a way to report progress. */
export interface JobControl {
  readonly signal: AbortSignal;
  /** Reports how many units are done and failed so far, and the latest error. */
  progress(done: number, failed: number, error?: string): void;
  /** Sets the total once the job knows it (a complete synchronization, after logging its tasks). */
  setTotal(total: number): void;
}

/** Finished jobs kept for reading back, newest last. */
const KEEP_FINISHED = 100;

/** Runs and tracks this process's jobs. */
@injectable()
export class AdminJobs implements OnStop {
  private readonly jobs = new Map<string, { job: AdminJob; abort: AbortController; done: Promise<void> }>();

  constructor(
    @inject(Logger) private readonly logger: Logger,
    @inject(AdminEventStream) private readonly events: AdminEventStream,
  ) {}

  /** Starts `work` in the background and returns its job at once. */
  start(kind: string, actor: string, total: number, work: (control: JobControl) => Promise<void>): AdminJob {
    const job: AdminJob = {
      id: randomUUID(),
      kind,
      actor,
      status: 'running',
      total,
      done: 0,
      failed: 0,
      startedAt: Date.now(),
      finishedAt: null,
      error: null,
    };
    const abort = new AbortController();
    const control: JobControl = {
      signal: abort.signal,
      progress: (done, failed, error) => {
        job.done = done;
        job.failed = failed;
        if (error !== undefined) job.error = error;
        this.events.publish({ type: 'job.progress', data: { ...job } });
      },
      setTotal: (total) => {
        job.total = total;
      },
    };
    const done = work(control).then(
      () => {
        job.status = abort.signal.aborted ? 'cancelled' : 'succeeded';
      },
      (error: unknown) => {
        job.status = 'failed';
        job.error = (error as Error).message;
        this.logger.warn({ err: error, job: job.id, kind }, 'admin job failed');
      },
    );
    const finished = done.then(() => {
      job.finishedAt = Date.now();
      this.events.publish({ type: 'job.finished', data: { ...job } });
      this.forgetOld();
    });
    this.jobs.set(job.id, { job, abort, done: finished });
    return job;
  }

  /** The job with this id; undefined for an unknown one, or a finished one this process no longer keeps. */
  get(id: string): AdminJob | undefined {
    return this.jobs.get(id)?.job;
  }

  /** Asks a running job to stop after the batch in hand; resolves once it has. Undefined for an unknown id. */
  async cancel(id: string): Promise<AdminJob | undefined> {
    const entry = this.jobs.get(id);
    if (!entry) return undefined;
    entry.abort.abort();
    await entry.done;
    return entry.job;
  }

  /** The node stops: cancels every running job and waits for them; their tasks stay pending. */
  async onStop(): Promise<void> {
    for (const entry of this.jobs.values()) entry.abort.abort();
    await Promise.all([...this.jobs.values()].map((e) => e.done));
  }

  private forgetOld(): void {
    const finished = [...this.jobs.values()].filter((e) => e.job.status !== 'running');
    for (const entry of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)))
      this.jobs.delete(entry.job.id);
  }
}
