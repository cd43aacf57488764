// A task's data against the previous task of the same object, as a table of the fields that differ.
import type { FieldChange } from '../json-diff';
import { compactJson } from '../format';

export function SnapshotDiff(props: { changes: readonly FieldChange[]; previousTaskId: number }) {
  if (props.changes.length === 0) {
    return <p>The data is the same as in task #{props.previousTaskId}.</p>;
  }
  return (
    <div class="table-scroll">
      <table class="diff">
        <caption>Fields that differ from task #{props.previousTaskId}</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Change</th>
            <th scope="col">Before (task #{props.previousTaskId})</th>
            <th scope="col">After (this task)</th>
          </tr>
        </thead>
        <tbody>
          {props.changes.map((change) => (
            <tr key={change.path} class={`diff-${change.kind}`}>
              <th scope="row">
                <code>{change.path}</code>
              </th>
              <td>{change.kind}</td>
              <td>
                <code class="before">{compactJson(change.before)}</code>
              </td>
              <td>
                <code class="after">{compactJson(change.after)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
