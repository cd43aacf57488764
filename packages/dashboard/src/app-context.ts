// What every view gets from the signed-in shell: the API client, who is signed in, the live events, the
// throughput history, and a way to announce what happened (read out by screen readers).
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { AdminClient } from './admin-client';
import type { NodeInfo, Session } from './api';
import type { EventStream } from './live/event-stream';
import type { ThroughputHistory } from './live/throughput-history';

export type NoticeKind = 'info' | 'success' | 'error';

export interface AppContextValue {
  readonly client: AdminClient;
  readonly session: Session;
  readonly node: NodeInfo;
  readonly events: EventStream;
  readonly history: ThroughputHistory;
  /** Shows (and announces) a message in the page's status line. */
  notify(message: string, kind?: NoticeKind): void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp() outside the signed-in shell');
  return value;
}

/** Whether the signed-in token may act (operator); a viewer sees no action buttons. */
export function useCanAct(): boolean {
  return useApp().session.role === 'operator';
}
