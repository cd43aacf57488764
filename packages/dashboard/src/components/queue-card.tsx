// One target server or connector on the overview: what waits, what failed, how old the oldest pending task is,
// deliveries in the last minute and the chart; red when it is down (with its last error) or disabled, amber when
// an operator paused it (its tasks are logged and wait).
import type { ComponentChildren } from 'preact';
import { formatAge } from '../format';
import { useApp } from '../app-context';
import { ThroughputChart } from './throughput-chart';

export type CardState = 'ok' | 'failing' | 'down' | 'disabled' | 'paused';

const STATE_TEXT: Record<CardState, string> = {
  ok: 'Delivering',
  failing: 'Tasks failed',
  down: 'Down',
  disabled: 'Disabled',
  paused: 'Paused',
};

export function QueueCard(props: {
  kind: 'Server' | 'Connector';
  name: string;
  displayName: string;
  historyKey: string;
  state: CardState;
  pending: number;
  failed: number;
  oldestPendingAt: number | null;
  /** Why it is down or failing. */
  lastError?: string | null;
  /** A plain statement of its state (why it is paused). */
  note?: string | null;
  href: string;
  linkLabel: string;
  children?: ComponentChildren;
}) {
  const { history } = useApp();
  const headingId = `card-${props.historyKey.replace(/[^a-z0-9-]/gi, '-')}`;
  const tone =
    props.state === 'down' || props.state === 'disabled'
      ? ' card-red'
      : props.state === 'paused'
        ? ' card-amber'
        : '';
  return (
    <article class={`card card-${props.state}${tone}`} aria-labelledby={headingId}>
      <header>
        <h3 id={headingId}>
          <span class="card-kind">{props.kind}</span> {props.displayName}
          {props.displayName !== props.name && <span class="card-name"> ({props.name})</span>}
        </h3>
        <span class={`state-pill state-pill-${props.state}`}>{STATE_TEXT[props.state]}</span>
      </header>
      {props.note && <p class="card-note">{props.note}</p>}
      {props.lastError && (
        <p class="card-error">
          <span class="card-error-label">Last error:</span> {props.lastError}
        </p>
      )}
      <dl class="card-stats">
        <div>
          <dt>Pending</dt>
          <dd>{props.pending}</dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd class={props.failed > 0 ? 'bad' : ''}>{props.failed}</dd>
        </div>
        <div>
          <dt>Oldest pending</dt>
          <dd>{props.oldestPendingAt === null ? '—' : formatAge(Date.now() - props.oldestPendingAt)}</dd>
        </div>
        <div>
          <dt>Delivered last min</dt>
          <dd>{history.deliveredLastMinute(props.historyKey)}</dd>
        </div>
      </dl>
      <ThroughputChart historyKey={props.historyKey} label={`${props.kind} ${props.displayName}`} />
      <footer>
        <a href={props.href}>{props.linkLabel}</a>
        {props.children}
      </footer>
    </article>
  );
}
