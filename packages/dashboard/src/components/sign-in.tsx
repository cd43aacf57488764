// Sign-in with an admin token: kept for this tab only (sessionStorage) and sent as a bearer header; a wrong or
// expired token is said to be refused, a node that does not answer is said not to answer.
import { useEffect, useRef, useState } from 'preact/hooks';

export function SignIn(props: {
  /** Why the last attempt (or the session) ended, if it did. */
  error: string | null;
  busy: boolean;
  onSubmit: (token: string) => void;
}) {
  const [token, setToken] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), [props.error]);
  return (
    <main id="main" class="sign-in">
      <h1>syncbus dashboard</h1>
      <form
        aria-labelledby="sign-in-title"
        onSubmit={(event) => {
          event.preventDefault();
          if (token.trim()) props.onSubmit(token.trim());
        }}
      >
        <h2 id="sign-in-title">Sign in</h2>
        <p>
          Use an admin token listed in this node's <code>admin.tokens</code>. It is kept for this tab only and
          sent to the node as a header.
        </p>
        <div class="field">
          <label for="token">Admin token</label>
          <input
            id="token"
            ref={input}
            type="password"
            autoComplete="current-password"
            required
            value={token}
            aria-invalid={props.error ? true : undefined}
            aria-describedby={props.error ? 'sign-in-error' : undefined}
            onInput={(e) => setToken(e.currentTarget.value)}
          />
        </div>
        {props.error && (
          <p id="sign-in-error" class="form-error" role="alert">
            {props.error}
          </p>
        )}
        <button type="submit" disabled={props.busy}>
          {props.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
