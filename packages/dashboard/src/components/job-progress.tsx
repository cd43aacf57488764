// A background synchronization as a progress bar: follows the job's live events and, as a fallback, polls it,
// until it ends; then says how it ended. An operator may cancel it.
import { useEffect, useState } from 'preact/hooks';
import type { Job } from '../api';
import { useApp, useCanAct } from '../app-context';
import { useLiveEvents } from '../live/use-live-events';
import { errorText } from './error-state';

export function JobProgress(props: { job: Job; label: string; onFinished?: (job: Job) => void }) {
  const { client, notify } = useApp();
  const canAct = useCanAct();
  const [job, setJob] = useState(props.job);
  const finished = job.status !== 'running';

  useLiveEvents(['job.progress', 'job.finished'], (event) => {
    if (event.data?.id === job.id) setJob(event.data as Job);
  });
  useEffect(() => {
    if (finished) return;
    const timer = setInterval(() => {
      client.get<Job>(`/jobs/${job.id}`).then(setJob, () => undefined);
    }, 1000);
    return () => clearInterval(timer);
  }, [job.id, finished]);
  useEffect(() => {
    if (!finished) return;
    notify(summary(props.label, job), complete(job) ? 'success' : 'error');
    props.onFinished?.(job);
  }, [finished]);

  const cancel = () =>
    client.delete<Job>(`/jobs/${job.id}`).then(setJob, (error) => notify(errorText(error), 'error'));
  const max = Math.max(job.total, job.done + job.failed, 1);
  return (
    <div class={`job job-${job.status}`} role="group" aria-label={props.label}>
      <label>
        <span class="job-label">{props.label}</span>
        <progress
          max={max}
          value={job.status === 'running' && job.total === 0 ? undefined : job.done + job.failed}
          aria-label={`${props.label} progress`}
        />
      </label>
      <span class="job-count" aria-live="polite">
        {finished ? summary(props.label, job) : `${job.done} of ${job.total || '…'} sent`}
        {job.failed > 0 && !finished ? `, ${job.failed} failed` : ''}
      </span>
      {!finished && canAct && (
        <button type="button" onClick={cancel}>
          Cancel
        </button>
      )}
    </div>
  );
}

/** Whether the job did everything it set out to. */
function complete(job: Job): boolean {
  return job.status === 'succeeded' && job.failed === 0 && job.done >= job.total;
}

function summary(label: string, job: Job): string {
  const waiting = Math.max(0, job.total - job.done - job.failed);
  const counts =
    `${job.done} of ${job.total} delivered` +
    (job.failed > 0 ? `, ${job.failed} failed` : '') +
    (waiting > 0 ? `, ${waiting} still waiting` : '');
  const error = job.error ? ` Last error: ${job.error}` : waiting > 0 ? " See the tasks' last error." : '';
  if (job.status === 'succeeded') return `${label} finished: ${counts}.${error}`;
  if (job.status === 'cancelled') return `${label} cancelled: ${counts}.${error}`;
  return `${label} failed: ${counts}.${error}`;
}
