// Asks before an action that cannot be undone (delete, remove), as a native modal dialog: it traps focus, Escape
// closes it, and screen readers announce it.
import { useEffect, useRef } from 'preact/hooks';

export interface ConfirmRequest {
  readonly title: string;
  readonly message: string;
  readonly confirmLabel: string;
  readonly onConfirm: () => void;
}

export function ConfirmDialog(props: { request: ConfirmRequest | null; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const { request, onClose } = props;
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (request && !element.open) element.showModal();
    if (!request && element.open) element.close();
  }, [request]);
  return (
    <dialog ref={dialog} aria-labelledby="confirm-title" onClose={onClose} class="confirm">
      {request && (
        <form
          method="dialog"
          onSubmit={(event) => {
            event.preventDefault();
            onClose();
            request.onConfirm();
          }}
        >
          <h2 id="confirm-title">{request.title}</h2>
          <p>{request.message}</p>
          <div class="actions">
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" class="danger">
              {request.confirmLabel}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
