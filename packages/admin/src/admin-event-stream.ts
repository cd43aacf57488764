// The admin API's live events (Server-Sent Events): tasks logged, delivered, failed, retried and deleted, conflicts
// recorded and resolved, and job progress, fanned out to connected clients. It never holds logging up: events are
// written without waiting, a client whose unsent buffer passes the limit is dropped, and with no client connected
// nothing is subscribed.
import { inject, injectable, Logger } from '@syncbus/core';
import type { AdminEvent } from '@syncbus/server';
import { StagingEvents } from '@syncbus/staging';
import type { ServerResponse } from 'node:http';
import type { Subscription } from 'rxjs';
import { AdminSettings } from './admin-settings';

/** A comment line every so often keeps proxies and the node's idle timeout from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

/** Connected clients and the subscriptions that feed them. */
@injectable()
export class AdminEventStream {
  private readonly clients = new Set<ServerResponse>();
  private subscriptions: Subscription[] = [];
  private keepalive?: NodeJS.Timeout;
  private sequence = 0;
  /** Clients dropped for reading too slowly, since start. */
  dropped = 0;

  constructor(
    @inject(StagingEvents) private readonly staging: StagingEvents,
    @inject(AdminSettings) private readonly settings: AdminSettings,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  /** How many clients are connected. */
  get connected(): number {
    return this.clients.size;
  }

  /** Streams events to `response` (already answered 200 with the event-stream headers) until it closes. */
  attach(response: ServerResponse): void {
    if (this.clients.size === 0) this.subscribe();
    this.clients.add(response);
    response.write(': connected\n\n');
    response.on('close', () => this.detach(response));
  }

  /** Sends an event to every client (admin actions and jobs publish here too). */
  publish(event: AdminEvent): void {
    if (this.clients.size === 0) return;
    const frame = `id: ${++this.sequence}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
    for (const client of this.clients) {
      // A client that does not read lets the unsent bytes pile up in the node: past the limit it is dropped.
      if (client.writableLength > this.settings.eventBufferBytes) {
        this.dropped += 1;
        this.logger.warn({ buffered: client.writableLength }, 'admin event client too slow; dropped');
        client.destroy();
        this.detach(client);
        continue;
      }
      client.write(frame);
    }
  }

  /** Ends every stream (the node stops; open streams would keep the HTTP server from closing). */
  closeAll(): void {
    for (const client of [...this.clients]) {
      client.end();
      this.detach(client);
    }
  }

  private detach(client: ServerResponse): void {
    if (!this.clients.delete(client) || this.clients.size > 0) return;
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions = [];
    clearInterval(this.keepalive);
  }

  private subscribe(): void {
    this.subscriptions = [
      this.staging.logTask.after.subscribe(({ task }) =>
        this.publish({
          type: 'task.logged',
          data: {
            taskId: task.id,
            taskType: task.taskType,
            objectType: task.objectType,
            objectGuid: task.objectGuid,
            title: task.title,
          },
        }),
      ),
      this.staging.synchronized.subscribe(({ server, delivered, failed, batchError }) => {
        for (const task of delivered) this.publish({ type: 'task.delivered', data: { server, ...task } });
        for (const task of failed)
          this.publish({ type: 'task.failed', data: { server, ...task, batch: batchError !== undefined } });
      }),
      // On a target: a received task met a local edit, and its record committed (held, or handled by its policy).
      this.staging.conflict.after.subscribe(({ conflictId, outcome, kind, sourceServer, task }) =>
        this.publish({
          type: 'conflict.recorded',
          data: {
            id: conflictId,
            sourceServer,
            objectType: task.objectType,
            objectGuid: task.objectGuid,
            kind,
            outcome,
          },
        }),
      ),
    ];
    this.keepalive = setInterval(() => {
      for (const client of this.clients) client.write(': keepalive\n\n');
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }
}
