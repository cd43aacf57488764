// A view that could not load says why, in words an operator can act on: the node does not answer, the token was
// refused, or the API refused the request (its code and message).
import { ApiError, NodeUnreachableError } from '../admin-client';

export function ErrorState(props: { error: Error; what: string; onRetry?: () => void }) {
  const { error, what, onRetry } = props;
  let title: string;
  let detail: string;
  if (error instanceof NodeUnreachableError) {
    title = 'The node does not answer';
    detail = `${what} could not be loaded: nothing answered at ${location.origin}. Check that the node is running; this page retries every few seconds.`;
  } else if (error instanceof ApiError) {
    title = error.status === 403 ? 'Not allowed for this token' : 'The API refused';
    detail = `${what}: ${error.code}: ${error.message}`;
  } else {
    title = 'Something went wrong';
    detail = `${what}: ${error.message}`;
  }
  return (
    <div class="state state-error" role="alert">
      <h2>{title}</h2>
      <p>{detail}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** A one-line refusal under an action (no heading). */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return `${error.code}: ${error.message}`;
  return (error as Error).message;
}
