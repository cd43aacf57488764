// A conflict's three versions side by side, field by field: base (as staging last left the object), source (the
// task) and target (this node), each cell that changed against the base marked in colour and in words.
import type { ConflictDetail, ConflictField } from '../api';
import { compactJson } from '../format';

type Side = 'base' | 'source' | 'target';

/** What a cell says when its whole version is missing. */
const MISSING: Record<Side, string> = {
  base: 'no base',
  source: 'deleted at the source',
  target: 'not on this node',
};

/** The fields of `conflict` that differ, as a table with a column per version. */
export function ThreeWayDiff(props: { conflict: ConflictDetail }) {
  const { conflict } = props;
  const cell = (field: ConflictField, side: Side) => {
    const changed = side === 'source' ? field.changedOnSource : side === 'target' && field.changedOnTarget;
    if (conflict.versions[side] === null) {
      return (
        <td class={changed ? 'cell-changed' : undefined}>
          <span class="missing">{MISSING[side]}</span>
        </td>
      );
    }
    return (
      <td class={changed ? 'cell-changed' : undefined}>
        {side in field ? <code>{compactJson(field[side])}</code> : <span class="missing">no such field</span>}
        {changed && <span class="change-mark">changed</span>}
      </td>
    );
  };
  if (conflict.fields.length === 0) {
    return <p>The three versions hold the same values in every staged field.</p>;
  }
  return (
    <div class="table-scroll">
      <table class="three-way">
        <caption>Fields that differ: base, source and target</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Base (as staging last left it)</th>
            <th scope="col">Source ({conflict.sourceServer})</th>
            <th scope="col">Target (this node)</th>
          </tr>
        </thead>
        <tbody>
          {conflict.fields.map((field) => (
            <tr key={field.field} class={field.clash ? 'row-clash' : undefined}>
              <th scope="row">
                <code>{field.field}</code>
                {field.clash && <span class="badge badge-failed">changed on both sides</span>}
              </th>
              {cell(field, 'base')}
              {cell(field, 'source')}
              {cell(field, 'target')}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
