// The page's status line: the latest notice (an action's outcome), announced politely to screen readers, and
// whether live events are flowing.
import type { NoticeKind } from '../app-context';
import type { StreamState } from '../live/event-stream';

export interface Notice {
  readonly id: number;
  readonly message: string;
  readonly kind: NoticeKind;
}

export function StatusLine(props: { notice: Notice | null; stream: StreamState; onDismiss: () => void }) {
  const { notice } = props;
  return (
    <div class="status-line">
      <div class="notice-area" role="status" aria-live="polite">
        {notice && (
          <p class={`notice notice-${notice.kind}`} key={notice.id}>
            {notice.message}{' '}
            <button type="button" class="link" onClick={props.onDismiss} aria-label="Dismiss message">
              ×
            </button>
          </p>
        )}
      </div>
      <span class={`stream stream-${props.stream}`}>
        {props.stream === 'live' ? 'Live' : props.stream === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
      </span>
    </div>
  );
}
