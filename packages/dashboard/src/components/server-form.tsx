// Adding or editing a target server. The secret is a reference (env:NAME) to where the node reads it, never the
// secret itself, and the API never sends it back: editing leaves it unchanged unless a new reference is given.
import { useState } from 'preact/hooks';
import type { Server } from '../api';

export interface ServerInput {
  name?: string;
  displayName?: string;
  url?: string;
  secret?: string;
}

export function ServerForm(props: {
  /** The server being edited; absent when adding. */
  server?: Server;
  onSubmit: (input: ServerInput) => Promise<void>;
  onCancel?: () => void;
}) {
  const editing = props.server !== undefined;
  const prefix = editing ? `edit-${props.server!.name}` : 'add-server';
  const [values, setValues] = useState<ServerInput>(
    editing ? { displayName: props.server!.displayName, url: props.server!.url } : {},
  );
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const field = (
    key: keyof ServerInput,
    label: string,
    options: { url?: boolean; hint?: string; required?: boolean } = {},
  ) => (
    <div class="field">
      <label for={`${prefix}-${key}`}>{label}</label>
      <input
        id={`${prefix}-${key}`}
        type="text"
        inputMode={options.url ? 'url' : undefined}
        required={options.required}
        value={values[key] ?? ''}
        aria-describedby={options.hint ? `${prefix}-${key}-hint` : undefined}
        onInput={(e) => setValues({ ...values, [key]: e.currentTarget.value })}
        autoComplete="off"
        spellcheck={false}
      />
      {options.hint && (
        <small id={`${prefix}-${key}-hint`} class="hint">
          {options.hint}
        </small>
      )}
    </div>
  );
  return (
    <form
      class="server-form"
      aria-label={editing ? `Edit server ${props.server!.name}` : 'Add a server'}
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setError(null);
        try {
          const input: ServerInput = {};
          for (const [key, value] of Object.entries(values)) {
            if (typeof value === 'string' && value.trim() !== '')
              input[key as keyof ServerInput] = value.trim();
          }
          await props.onSubmit(input);
          if (!editing) setValues({});
        } catch (failure) {
          setError((failure as Error).message);
        } finally {
          setBusy(false);
        }
      }}
    >
      {!editing &&
        field('name', 'Name', { required: true, hint: 'How tasks and the CLI name it, e.g. production.' })}
      {field('displayName', 'Display name')}
      {field('url', 'URL', {
        url: true,
        required: !editing,
        hint: 'Base URL of the target node, e.g. https://prod.example:8080.',
      })}
      {field('secret', 'Secret reference', {
        required: !editing,
        hint: editing
          ? 'Leave empty to keep the current one. A reference such as env:SYNCBUS_SECRET_PRODUCTION, never the secret.'
          : 'A reference such as env:SYNCBUS_SECRET_PRODUCTION: the node reads the secret there; it is never sent or shown.',
      })}
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        {props.onCancel && (
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" disabled={busy}>
          {editing ? 'Save changes' : 'Add server'}
        </button>
      </div>
    </form>
  );
}
