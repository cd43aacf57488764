// Raw HTTP over a socket, for tests about what a node does with requests that never finish.
import { connect, type Socket } from 'node:net';

/** A raw connection to the node, collecting what it answers, and when it closes. */
export function openRaw(url: string): { socket: Socket; answer: Promise<string>; closed: Promise<void> } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined); // a reset counts as closed
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const answer = closed.then(() => received);
  return { socket, answer, closed };
}

/** Resolves with `promise`, or rejects naming `what` after `ms`: a limit that does not hold fails, not hangs. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
    }),
  ]);
}
