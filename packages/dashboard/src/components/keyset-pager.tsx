// Paging by cursor (the API's keyset pages): first, previous (cursors seen so far) and next; no page numbers,
// since the API never counts.
export function KeysetPager(props: {
  label: string;
  pageNumber: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onFirst: () => void;
  onPrevious: () => void;
  onNext: () => void;
}) {
  return (
    <nav class="pager" aria-label={props.label}>
      <button type="button" onClick={props.onFirst} disabled={!props.hasPrevious}>
        First page
      </button>
      <button type="button" onClick={props.onPrevious} disabled={!props.hasPrevious}>
        Previous page
      </button>
      <span aria-live="polite">Page {props.pageNumber}</span>
      <button type="button" onClick={props.onNext} disabled={!props.hasNext}>
        Next page
      </button>
    </nav>
  );
}

/** The cursors that led to the current page: `[]` on the first, one per page turned. */
export interface KeysetState {
  readonly trail: readonly string[];
}

export const keyset = {
  first: (): KeysetState => ({ trail: [] }),
  next: (state: KeysetState, cursor: string): KeysetState => ({ trail: [...state.trail, cursor] }),
  previous: (state: KeysetState): KeysetState => ({ trail: state.trail.slice(0, -1) }),
  cursor: (state: KeysetState): string | undefined => state.trail[state.trail.length - 1],
};
