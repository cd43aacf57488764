// The filters of the conflict list: which conflicts (open, resolved or all), from which source server, of which
// object type; applied on submit, as the task filters are.
import { useState } from 'preact/hooks';

/** The conflict list's filters as the API takes them (`status` absent: open and resolved). */
export interface ConflictFilter {
  status?: 'open' | 'resolved';
  source?: string;
  objectType?: string;
}

/** The filter form; `onApply` gets the filter when it is submitted. */
export function ConflictFilters(props: {
  initial: ConflictFilter;
  onApply: (filter: ConflictFilter) => void;
}) {
  const [status, setStatus] = useState<string>(props.initial.status ?? '');
  const [source, setSource] = useState(props.initial.source ?? '');
  const [objectType, setObjectType] = useState(props.initial.objectType ?? '');
  return (
    <form
      class="filters"
      role="search"
      aria-label="Filter conflicts"
      onSubmit={(event) => {
        event.preventDefault();
        props.onApply({
          status: status === 'open' || status === 'resolved' ? status : undefined,
          source: source.trim() || undefined,
          objectType: objectType.trim() || undefined,
        });
      }}
    >
      <div class="field">
        <label for="conflicts-status">Status</label>
        <select id="conflicts-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
          <option value="open">open</option>
          <option value="resolved">resolved</option>
          <option value="">all</option>
        </select>
      </div>
      <div class="field">
        <label for="conflicts-source">Source server</label>
        <input
          id="conflicts-source"
          type="search"
          value={source}
          onInput={(e) => setSource(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="conflicts-object-type">Object type</label>
        <input
          id="conflicts-object-type"
          type="search"
          value={objectType}
          placeholder="cms.article"
          onInput={(e) => setObjectType(e.currentTarget.value)}
        />
      </div>
      <div class="field field-buttons">
        <button type="submit">Apply filters</button>
      </div>
    </form>
  );
}
