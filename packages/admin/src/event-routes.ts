// `GET /events`: the live event stream (text/event-stream) a page follows instead of polling.
import { inject, injectable } from '@syncbus/core';
import type { FastifyInstance } from 'fastify';
import { ADMIN_PREFIX, type AdminRoutes } from '@syncbus/server';
import { AdminEventStream } from './admin-event-stream';

/** The events resource. */
@injectable()
export class EventRoutes implements AdminRoutes {
  constructor(@inject(AdminEventStream) private readonly stream: AdminEventStream) {}

  register(app: FastifyInstance): void {
    // Open streams would keep the server from closing: end them before it waits for its connections.
    app.addHook('preClose', async () => this.stream.closeAll());
    app.get(
      `${ADMIN_PREFIX}/events`,
      {
        schema: {
          tags: ['events'],
          description:
            'Server-Sent Events: task.logged, task.delivered, task.failed, task.retried, task.deleted, ' +
            'conflict.recorded, conflict.resolved, job.progress and job.finished, each with a JSON `data` line. ' +
            'A client that reads too slowly is dropped.',
        },
        config: { role: 'viewer' },
      },
      (request, reply) => {
        reply.hijack();
        reply.raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        this.stream.attach(reply.raw);
      },
    );
  }
}
