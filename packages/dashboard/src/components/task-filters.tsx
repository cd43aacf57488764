// The filters of a task list (Kentico's "All tasks" filter): object type, task type, status, user, task group,
// text in the title and a time range; applied on submit, so typing does not reload on every key.
import { useState } from 'preact/hooks';
import type { StagingTaskFilter } from '../api';
import { fromLocalInput } from '../format';

export type TaskFilterValues = Omit<StagingTaskFilter, 'server' | 'objectGuid'>;

/** Which filters a list offers (a connector's queue has no users, groups or time range). */
export type FilterField = 'objectType' | 'taskType' | 'status' | 'user' | 'group' | 'title' | 'time';

const ALL: readonly FilterField[] = ['objectType', 'taskType', 'status', 'user', 'group', 'title', 'time'];

export function TaskFilters(props: {
  idPrefix: string;
  fields?: readonly FilterField[];
  onApply: (filter: TaskFilterValues) => void;
}) {
  const fields = props.fields ?? ALL;
  const [values, setValues] = useState<Record<string, string>>({});
  const id = (name: string) => `${props.idPrefix}-${name}`;
  const text = (name: string, label: string, placeholder?: string) =>
    fields.includes(name as FilterField) && (
      <div class="field">
        <label for={id(name)}>{label}</label>
        <input
          id={id(name)}
          type="search"
          value={values[name] ?? ''}
          placeholder={placeholder}
          onInput={(e) => setValues({ ...values, [name]: e.currentTarget.value })}
        />
      </div>
    );
  const apply = (next: Record<string, string>) => {
    const filter: TaskFilterValues = {};
    const v = (name: string) => next[name]?.trim() || undefined;
    if (v('objectType')) filter.objectType = v('objectType');
    if (v('taskType')) filter.taskType = v('taskType');
    if (v('status')) filter.status = v('status') as 'pending' | 'failed';
    if (v('user')) filter.user = v('user');
    if (v('group')) filter.group = v('group');
    if (v('title')) filter.title = v('title');
    filter.loggedFrom = fromLocalInput(next.from ?? '');
    filter.loggedBefore = fromLocalInput(next.to ?? '');
    props.onApply(filter);
  };
  return (
    <form
      class="filters"
      role="search"
      aria-label="Filter tasks"
      onSubmit={(event) => {
        event.preventDefault();
        apply(values);
      }}
    >
      {text('objectType', 'Object type', 'cms.article')}
      {fields.includes('taskType') && (
        <div class="field">
          <label for={id('taskType')}>Task type</label>
          <select
            id={id('taskType')}
            value={values.taskType ?? ''}
            onChange={(e) => setValues({ ...values, taskType: e.currentTarget.value })}
          >
            <option value="">any</option>
            <option value="create">create</option>
            <option value="update">update</option>
            <option value="delete">delete</option>
          </select>
        </div>
      )}
      {fields.includes('status') && (
        <div class="field">
          <label for={id('status')}>Status</label>
          <select
            id={id('status')}
            value={values.status ?? ''}
            onChange={(e) => setValues({ ...values, status: e.currentTarget.value })}
          >
            <option value="">pending or failed</option>
            <option value="pending">pending</option>
            <option value="failed">failed</option>
          </select>
        </div>
      )}
      {text('user', 'User')}
      {text('group', 'Task group')}
      {text('title', 'Title contains')}
      {fields.includes('time') && (
        <>
          <div class="field">
            <label for={id('from')}>Logged from</label>
            <input
              id={id('from')}
              type="datetime-local"
              step="1"
              value={values.from ?? ''}
              onInput={(e) => setValues({ ...values, from: e.currentTarget.value })}
            />
          </div>
          <div class="field">
            <label for={id('to')}>Logged before</label>
            <input
              id={id('to')}
              type="datetime-local"
              step="1"
              value={values.to ?? ''}
              onInput={(e) => setValues({ ...values, to: e.currentTarget.value })}
            />
          </div>
        </>
      )}
      <div class="field field-buttons">
        <button type="submit">Apply filters</button>
        <button
          type="button"
          onClick={() => {
            setValues({});
            apply({});
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}

/** Whether a filter narrows anything. */
export function isFiltered(filter: TaskFilterValues): boolean {
  return Object.values(filter).some((value) => value !== undefined);
}
