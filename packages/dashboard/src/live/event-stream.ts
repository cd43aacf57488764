// Follows the admin API's live events (GET /v1/events). EventSource cannot send the Authorization header, so the
// stream is read with fetch() and parsed frame by frame (`id:`, `event:`, `data:`); it reconnects after a drop.
import type { AdminClient } from '../admin-client';

/** One event: its type (`task.delivered`, `job.progress`, ...) and its JSON data. */
export interface LiveEvent {
  readonly type: string;
  readonly data: any;
}

export type StreamState = 'connecting' | 'live' | 'reconnecting';

type Listener = (event: LiveEvent) => void;

/** Parses complete frames off the front of `buffer`; returns the events and what is left. */
export function parseFrames(buffer: string): { events: LiveEvent[]; rest: string } {
  const events: LiveEvent[] = [];
  let rest = buffer.replace(/\r\n/g, '\n');
  let end: number;
  while ((end = rest.indexOf('\n\n')) >= 0) {
    const frame = rest.slice(0, end);
    rest = rest.slice(end + 2);
    let type = 'message';
    const data: string[] = [];
    for (const line of frame.split('\n')) {
      if (line.startsWith(':')) continue; // a comment: keepalive
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) continue;
    try {
      events.push({ type, data: JSON.parse(data.join('\n')) });
    } catch {
      // Not JSON: not one of the API's events; ignore it.
    }
  }
  return { events, rest };
}

/** One connection to the event stream for the whole page, shared by every view. */
export class EventStream {
  private readonly listeners = new Set<Listener>();
  private readonly stateListeners = new Set<(state: StreamState) => void>();
  private abort?: AbortController;
  private retryTimer?: number;
  private retryDelay = 1000;
  private stopped = true;
  state: StreamState = 'connecting';

  constructor(private readonly client: AdminClient) {}

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.abort?.abort();
  }

  /** Calls `listener` for every event from now on; returns how to stop. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(listener: (state: StreamState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private setState(state: StreamState): void {
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private async connect(): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    try {
      const response = await fetch(this.client.url('/events'), {
        headers: { ...this.client.headers(false), accept: 'text/event-stream' },
        signal: abort.signal,
        cache: 'no-store',
      });
      if (!response.ok || !response.body) throw new Error(`event stream answered ${response.status}`);
      this.setState('live');
      this.retryDelay = 1000;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const parsed = parseFrames(buffer + value);
        buffer = parsed.rest;
        for (const event of parsed.events) this.emit(event);
      }
    } catch {
      // Dropped, refused or aborted: reconnect below unless stopped.
    }
    if (this.stopped) return;
    this.setState('reconnecting');
    this.retryTimer = window.setTimeout(() => void this.connect(), this.retryDelay);
    this.retryDelay = Math.min(this.retryDelay * 2, 10_000);
  }

  private emit(event: LiveEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error('a live event listener failed', error);
      }
    }
  }
}
