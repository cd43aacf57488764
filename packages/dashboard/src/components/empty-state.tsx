// What a list shows when it has nothing in it: say so plainly, and what it would show.
import type { ComponentChildren } from 'preact';

export function EmptyState(props: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state state-empty">
      <p class="state-title">{props.title}</p>
      {props.children && <p>{props.children}</p>}
    </div>
  );
}

/** Shown while a view loads for the first time. */
export function Loading(props: { what: string }) {
  return (
    <p class="state state-loading" role="status">
      Loading {props.what}…
    </p>
  );
}
