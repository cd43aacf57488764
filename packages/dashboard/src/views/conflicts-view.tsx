// Conflicts: the tasks from source servers that met an object edited on this node (the target) since staging last
// left it, newest first, open ones by default; each links to its three-way diff. Follows the live events.
import { useState } from 'preact/hooks';
import type { ConflictSummary, Page } from '../api';
import { useApp } from '../app-context';
import { ConflictFilters, type ConflictFilter } from '../components/conflict-filters';
import { EmptyState, Loading } from '../components/empty-state';
import { ErrorState } from '../components/error-state';
import { keyset, KeysetPager } from '../components/keyset-pager';
import { KIND_TEXT, outcomeBadge, outcomeText } from '../conflict-text';
import { formatTime } from '../format';
import { useLiveEvents, useThrottled } from '../live/use-live-events';
import { href } from '../router';
import { useResource } from '../use-resource';

const PAGE = 50;

/** The conflict list. */
export function ConflictsView() {
  const { client } = useApp();
  const [filter, setFilter] = useState<ConflictFilter>({ status: 'open' });
  const [pages, setPages] = useState(keyset.first());
  const cursor = keyset.cursor(pages);
  const conflicts = useResource<Page<ConflictSummary>>(
    (signal) => client.get('/conflicts', { ...filter, limit: PAGE, cursor }, signal),
    [JSON.stringify(filter), cursor],
  );
  const refresh = useThrottled(conflicts.reload, 700);
  useLiveEvents(['conflict.recorded', 'conflict.resolved'], refresh);

  const open = filter.status === 'open';
  const filtered = filter.source !== undefined || filter.objectType !== undefined;
  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title">Conflicts</h1>
      <p class="lead">
        Tasks from a source server that would overwrite an edit made on this node since staging last left the
        object. Held ones wait for a person: open one to compare the versions field by field and resolve it.
      </p>
      <ConflictFilters
        initial={filter}
        onApply={(next) => {
          setFilter(next);
          setPages(keyset.first());
        }}
      />
      {conflicts.error && (
        <ErrorState error={conflicts.error} what="The conflicts" onRetry={conflicts.reload} />
      )}
      {!conflicts.data && !conflicts.error && <Loading what="conflicts" />}
      {conflicts.data &&
        (conflicts.data.items.length === 0 ? (
          <EmptyState
            title={
              filtered
                ? 'No conflict matches the filter.'
                : open
                  ? 'No conflict waits for a person.'
                  : 'No conflicts here.'
            }
          >
            A task that meets an object edited here is listed when its policy holds it (or records what it did
            instead): staging.receiver.conflicts in this node's config.
          </EmptyState>
        ) : (
          <ConflictTable rows={conflicts.data.items} caption={captionOf(filter)} />
        ))}
      <KeysetPager
        label="Conflict pages"
        pageNumber={pages.trail.length + 1}
        hasPrevious={pages.trail.length > 0}
        hasNext={!!conflicts.data?.nextCursor}
        onFirst={() => setPages(keyset.first())}
        onPrevious={() => setPages(keyset.previous(pages))}
        onNext={() => conflicts.data?.nextCursor && setPages(keyset.next(pages, conflicts.data.nextCursor))}
      />
    </section>
  );
}

function captionOf(filter: ConflictFilter): string {
  const which =
    filter.status === 'open'
      ? 'Open conflicts'
      : filter.status === 'resolved'
        ? 'Resolved conflicts'
        : 'Conflicts';
  return `${which}, newest first${filter.source || filter.objectType ? ' (filtered)' : ''}`;
}

function ConflictTable(props: { rows: readonly ConflictSummary[]; caption: string }) {
  return (
    <div class="table-scroll">
      <table>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Conflict</th>
            <th scope="col">Object</th>
            <th scope="col">Object type</th>
            <th scope="col">Source</th>
            <th scope="col">Task</th>
            <th scope="col">What happened</th>
            <th scope="col">Policy</th>
            <th scope="col">Outcome</th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((c) => (
            <tr key={c.id}>
              <td class="num">#{c.id}</td>
              <th scope="row" class="title">
                <a href={href.conflict(c.id)}>{c.title}</a>
                <span class="guid">{c.objectGuid}</span>
              </th>
              <td>{c.objectType}</td>
              <td>{c.sourceServer}</td>
              <td>{c.taskType}</td>
              <td>{KIND_TEXT[c.kind] ?? c.kind}</td>
              <td>{c.policy}</td>
              <td>
                <span class={`badge ${outcomeBadge(c.outcome)}`}>{outcomeText(c.outcome)}</span>
              </td>
              <td>
                <time dateTime={new Date(c.createdAt).toISOString()}>{formatTime(c.createdAt)}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
