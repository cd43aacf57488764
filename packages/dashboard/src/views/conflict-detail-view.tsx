// One conflict: what met what, the three versions field by field (base, source, target), and for an operator the
// resolutions (take the source, keep the target, merge), each confirmed first.
import { useState } from 'preact/hooks';
import { ApiError } from '../admin-client';
import type { ConflictDetail, ConflictTake } from '../api';
import { useApp, useCanAct } from '../app-context';
import { ConfirmDialog, type ConfirmRequest } from '../components/confirm-dialog';
import { EmptyState, Loading } from '../components/empty-state';
import { ErrorState, errorText } from '../components/error-state';
import { ThreeWayDiff } from '../components/three-way-diff';
import { KIND_TEXT, outcomeBadge, outcomeText } from '../conflict-text';
import { formatTime } from '../format';
import { useLiveEvents, useThrottled } from '../live/use-live-events';
import { href } from '../router';
import { useResource } from '../use-resource';

/** What the outcome means for the object, and what a resolution would still change. */
function outcomeNote(c: ConflictDetail): string | null {
  switch (c.outcome) {
    case 'held':
      return `The task waits, with the object's later tasks from ${c.sourceServer}, until it is resolved here.`;
    case 'overwritten':
      return "Its policy applied the task over this node's edit; Keep target puts this node's version back.";
    case 'kept-target':
      return "Its policy kept this node's version and skipped the task; Take source applies the task now.";
    case 'merged':
      return "Its policy merged the two versions; Keep target puts this node's version back.";
    default:
      return null;
  }
}

/** The conflict detail: facts, the three-way diff, and the resolutions. */
export function ConflictDetailView(props: { conflictId: number }) {
  const { client, notify } = useApp();
  const canAct = useCanAct();
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  const [busy, setBusy] = useState(false);
  const id = props.conflictId;
  const view = useResource<ConflictDetail | null>(
    async (signal) => {
      try {
        return await client.get<ConflictDetail>(`/conflicts/${id}`, {}, signal);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'CONFLICT_NOT_FOUND') return null;
        throw error;
      }
    },
    [id],
  );
  const refresh = useThrottled(view.reload, 500);
  useLiveEvents(['conflict.recorded', 'conflict.resolved'], (event) => {
    if (event.data?.id === id) refresh();
  });

  const resolve = async (take: ConflictTake) => {
    setBusy(true);
    try {
      const resolved = await client.post<ConflictDetail>(`/conflicts/${id}/resolve`, { take });
      view.set(() => resolved);
      notify(`Conflict #${id} ${outcomeText(resolved.outcome)}.`, 'success');
    } catch (error) {
      notify(`Resolve: ${errorText(error)}`, 'error');
      view.reload();
    } finally {
      setBusy(false);
    }
  };

  if (view.error) return <ErrorState error={view.error} what={`Conflict #${id}`} onRetry={view.reload} />;
  if (view.data === undefined) return <Loading what={`conflict #${id}`} />;
  if (view.data === null) {
    return (
      <section aria-labelledby="view-title">
        <h1 id="view-title">Conflict #{id}</h1>
        <EmptyState title={`There is no conflict #${id} on this node.`}>
          <a href={href.conflicts()}>Back to the conflicts</a>.
        </EmptyState>
      </section>
    );
  }
  const c = view.data;
  const clashes = c.fields.filter((f) => f.clash).length;
  const ask = (take: ConflictTake, title: string, message: string, confirmLabel: string) =>
    setConfirm({ title, message, confirmLabel, onConfirm: () => void resolve(take) });
  const note = outcomeNote(c);
  return (
    <section aria-labelledby="view-title">
      <p class="breadcrumb">
        <a href={href.conflicts()}>Conflicts</a> › Conflict
      </p>
      <h1 id="view-title">
        Conflict #{c.id}: {c.title}
      </h1>
      <dl class="facts">
        <div>
          <dt>Object</dt>
          <dd>
            {c.objectType} <code>{c.objectGuid}</code>
          </dd>
        </div>
        <div>
          <dt>Source server</dt>
          <dd>{c.sourceServer}</dd>
        </div>
        <div>
          <dt>Task</dt>
          <dd>
            {c.taskType} <code>{c.taskGuid}</code>
          </dd>
        </div>
        <div>
          <dt>What happened</dt>
          <dd>{KIND_TEXT[c.kind] ?? c.kind}</dd>
        </div>
        <div>
          <dt>Policy</dt>
          <dd>{c.policy}</dd>
        </div>
        <div>
          <dt>Outcome</dt>
          <dd>
            <span class={`badge ${outcomeBadge(c.outcome)}`}>{outcomeText(c.outcome)}</span>
          </dd>
        </div>
        <div>
          <dt>Recorded</dt>
          <dd>{formatTime(c.createdAt)}</dd>
        </div>
        <div>
          <dt>Resolved</dt>
          <dd>
            {c.resolvedAt === null ? '—' : `${formatTime(c.resolvedAt)} by ${c.resolvedBy ?? 'unknown'}`}
          </dd>
        </div>
      </dl>
      {note && <p class="summary">{note}</p>}

      {canAct && c.resolvable && (
        <div class="toolbar" role="toolbar" aria-label="Resolve the conflict">
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              ask(
                'source',
                `Take ${c.sourceServer}'s version of ${c.title}?`,
                `The object on this node becomes what ${c.sourceServer}'s task brings; this node's edit of it is replaced.`,
                'Take source',
              )
            }
          >
            Take source
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              ask(
                'target',
                `Keep this node's version of ${c.title}?`,
                c.outcome === 'held' || c.outcome === 'kept-target'
                  ? `The object stays as it is here; ${c.sourceServer}'s task is marked done without being applied.`
                  : "This node's version, as the record kept it, is put back.",
                'Keep target',
              )
            }
          >
            Keep target
          </button>
          <button
            type="button"
            disabled={busy || !c.mergeable}
            aria-describedby={c.mergeable ? undefined : 'merge-hint'}
            onClick={() =>
              ask(
                'merged',
                `Merge the two versions of ${c.title}?`,
                'Each field changed on one side only is taken from that side' +
                  (clashes > 0
                    ? `; the ${clashes} field(s) changed on both sides are taken from ${c.sourceServer}.`
                    : '.'),
                'Merge',
              )
            }
          >
            Merge
          </button>
          {!c.mergeable && (
            <p class="hint" id="merge-hint">
              A merge needs a base and both versions; this object was {KIND_TEXT[c.kind] ?? c.kind}.
            </p>
          )}
        </div>
      )}

      <h2>Field by field</h2>
      <ThreeWayDiff conflict={c} />

      <details class="versions">
        <summary>The three versions in full</summary>
        {(['base', 'source', 'target'] as const).map((side) => (
          <div key={side}>
            <h3>{side}</h3>
            <pre class="json" tabIndex={0} aria-label={`The ${side} version`}>
              {c.versions[side] === null ? 'none' : JSON.stringify(c.versions[side], null, 2)}
            </pre>
          </div>
        ))}
      </details>
      <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} />
    </section>
  );
}
