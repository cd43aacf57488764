// The page: sign-in until a token is accepted, then the shell (header, status line, the current view) with one
// API client and one live event stream for every view.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { AdminClient, ApiError, NodeUnreachableError } from './admin-client';
import type { NodeInfo, Session } from './api';
import { AppContext, type AppContextValue, type NoticeKind } from './app-context';
import { ErrorState } from './components/error-state';
import { NavBar } from './components/nav-bar';
import { SignIn } from './components/sign-in';
import { StatusLine, type Notice } from './components/status-line';
import { EventStream, type StreamState } from './live/event-stream';
import { ThroughputHistory } from './live/throughput-history';
import { useRoute } from './router';
import { storedToken, storeToken } from './session-store';
import { CurrentView } from './current-view';

type Auth =
  | { readonly state: 'signed-out'; readonly error: string | null }
  | { readonly state: 'checking'; readonly token: string }
  | { readonly state: 'unreachable'; readonly token: string }
  | {
      readonly state: 'signed-in';
      readonly token: string;
      readonly session: Session;
      readonly node: NodeInfo;
    };

const REFUSED = 'That token was refused: it is wrong, or no longer listed in admin.tokens.';
const EXPIRED =
  'Your token is no longer accepted (it expired, was changed or was removed from admin.tokens). Sign in again.';

export function App() {
  const [auth, setAuth] = useState<Auth>(() => {
    const token = storedToken();
    return token ? { state: 'checking', token } : { state: 'signed-out', error: null };
  });

  const signOut = useCallback((error: string | null) => {
    storeToken(null);
    setAuth({ state: 'signed-out', error });
  }, []);

  // Checks a token: who it is and which node this is.
  useEffect(() => {
    if (auth.state !== 'checking') return;
    const client = new AdminClient(auth.token);
    let cancelled = false;
    Promise.all([client.get<Session>('/session'), client.get<NodeInfo>('/node')]).then(
      ([session, node]) => {
        if (cancelled) return;
        storeToken(auth.token);
        setAuth({ state: 'signed-in', token: auth.token, session, node });
      },
      (error: Error) => {
        if (cancelled) return;
        if (error instanceof NodeUnreachableError) setAuth({ state: 'unreachable', token: auth.token });
        else if (error instanceof ApiError && error.status === 401)
          signOut(storedToken() === auth.token ? EXPIRED : REFUSED);
        else signOut(`The node refused: ${error.message}`);
      },
    );
    return () => void (cancelled = true);
  }, [auth]);

  if (auth.state === 'signed-in') {
    return <Shell key={auth.token} auth={auth} onSignOut={signOut} />;
  }
  if (auth.state === 'unreachable') {
    return (
      <main id="main" class="sign-in">
        <ErrorState
          error={new NodeUnreachableError()}
          what="Signing in"
          onRetry={() => setAuth({ state: 'checking', token: auth.token })}
        />
      </main>
    );
  }
  return (
    <SignIn
      error={auth.state === 'signed-out' ? auth.error : null}
      busy={auth.state === 'checking'}
      onSubmit={(token) => {
        storeToken(null);
        setAuth({ state: 'checking', token });
      }}
    />
  );
}

function Shell(props: {
  auth: Extract<Auth, { state: 'signed-in' }>;
  onSignOut: (error: string | null) => void;
}) {
  const { auth, onSignOut } = props;
  const route = useRoute();
  const [notice, setNotice] = useState<Notice | null>(null);
  const [stream, setStream] = useState<StreamState>('connecting');
  const noticeId = useRef(0);

  const value = useMemo<AppContextValue>(() => {
    const client = new AdminClient(auth.token, () => onSignOut(EXPIRED));
    const history = new ThroughputHistory();
    const events = new EventStream(client);
    events.subscribe((event) => {
      if (event.type === 'task.delivered') history.delivered(`server:${event.data.server}`);
      if (event.type === 'task.failed' && event.data.batch)
        history.batchFailed(`server:${event.data.server}`, event.data.error);
    });
    return {
      client,
      session: auth.session,
      node: auth.node,
      events,
      history,
      notify: (message: string, kind: NoticeKind = 'info') =>
        setNotice({ id: ++noticeId.current, message, kind }),
    };
  }, [auth.token]);

  useEffect(() => {
    const { events } = value;
    const off = events.onState(setStream);
    events.start();
    return () => {
      off();
      events.stop();
    };
  }, [value]);

  // Moving to another view puts the focus on its content, as a page load would.
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [route]);

  useEffect(() => {
    document.title = `syncbus · ${auth.node.nodeName}`;
  }, [auth.node.nodeName]);

  return (
    <AppContext.Provider value={value}>
      <NavBar node={auth.node} session={auth.session} route={route} onSignOut={() => onSignOut(null)} />
      <StatusLine notice={notice} stream={stream} onDismiss={() => setNotice(null)} />
      <main id="main" ref={main} tabIndex={-1}>
        <CurrentView route={route} />
      </main>
    </AppContext.Provider>
  );
}
