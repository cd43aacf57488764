// One line on what waits for a server and where it is, and, while it is paused, why nothing is sent to it.
import type { Server } from '../api';

/** The id of the paused notice, for the buttons it turns off to point at. */
export const PAUSED_NOTICE_ID = 'server-paused-notice';

export function ServerSummary(props: { server: Server; canAct: boolean }) {
  const { server } = props;
  return (
    <>
      <p class="summary" aria-live="polite">
        {server.pending} pending, {server.failed} failed{server.enabled ? '' : ' · disabled'}
        {server.paused ? ' · paused' : ''} · {server.url}
      </p>
      {server.paused && (
        <p class="notice notice-paused" id={PAUSED_NOTICE_ID}>
          {server.name} is paused: its tasks are still logged and wait here, and nothing is sent to it, so
          Synchronize is off. {props.canAct ? 'Resume it to synchronize.' : 'An operator can resume it.'}
        </p>
      )}
    </>
  );
}
