// A queue's tasks as a table in logged order (Kentico's "All tasks"): a checkbox per row when the token may act,
// the title linking to the task, its status, attempts and last error.
import { formatNextAttempt, formatTime } from '../format';

/** What the table shows of a task (staging and connector rows both have it). */
export interface TaskTableRow {
  readonly taskId: number;
  readonly synchronizationId: number;
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

export function TaskTable<Row extends TaskTableRow>(props: {
  caption: string;
  rows: readonly Row[];
  /** The row's selection key. */
  keyOf: (row: Row) => number;
  /** Checkboxes, when the token may act. */
  selection?: { selected: ReadonlySet<number>; onChange: (selected: Set<number>) => void };
  /** Link of a row's title (task detail), if any. */
  linkOf?: (row: Row) => string;
}) {
  const { rows, keyOf, selection, linkOf } = props;
  const keys = rows.map(keyOf);
  const allSelected =
    selection !== undefined && keys.length > 0 && keys.every((k) => selection.selected.has(k));
  const toggle = (key: number, on: boolean) => {
    const next = new Set(selection!.selected);
    if (on) next.add(key);
    else next.delete(key);
    selection!.onChange(next);
  };
  return (
    <div class="table-scroll">
      <table class="tasks">
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {selection && (
              <th scope="col" class="select">
                <input
                  type="checkbox"
                  aria-label="Select every task on this page"
                  checked={allSelected}
                  onChange={(e) => {
                    const next = new Set(selection.selected);
                    for (const key of keys) {
                      if (e.currentTarget.checked) next.add(key);
                      else next.delete(key);
                    }
                    selection.onChange(next);
                  }}
                />
              </th>
            )}
            <th scope="col">Task</th>
            <th scope="col">Title</th>
            <th scope="col">Object type</th>
            <th scope="col">Task type</th>
            <th scope="col">Logged</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Next attempt</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const key = keyOf(row);
            return (
              <tr key={key} data-status={row.status}>
                {selection && (
                  <td class="select">
                    <input
                      type="checkbox"
                      aria-label={`Select task #${row.taskId} ${row.title}`}
                      checked={selection.selected.has(key)}
                      onChange={(e) => toggle(key, e.currentTarget.checked)}
                    />
                  </td>
                )}
                <td class="num">#{row.taskId}</td>
                <th scope="row" class="title">
                  {linkOf ? <a href={linkOf(row)}>{row.title}</a> : row.title}
                  <span class="guid">{row.objectGuid}</span>
                </th>
                <td>{row.objectType}</td>
                <td>{row.taskType}</td>
                <td>
                  <time dateTime={new Date(row.createdAt).toISOString()}>{formatTime(row.createdAt)}</time>
                </td>
                <td>
                  <span class={`badge badge-${row.status}`}>{row.status}</span>
                </td>
                <td class="num">{row.attempts}</td>
                <td>{row.status === 'failed' ? '—' : formatNextAttempt(row.nextAttemptAt)}</td>
                <td class="error-text">{row.lastError ?? ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
