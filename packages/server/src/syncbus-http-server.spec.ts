import { createLogger } from '@syncbus/core';
import type { FastifyInstance } from 'fastify';
import { HttpSettingsSchema } from './http-settings';
import { SyncbusHttpServer } from './syncbus-http-server';

describe('SyncbusHttpServer', () => {
  it('serves every contribution; one that throws is logged and skipped; it stops and starts again', async () => {
    const lines: { msg: string; contribution?: string }[] = [];
    const logger = createLogger({
      level: 'warn',
      destination: { write: (l: string) => void lines.push(JSON.parse(l)) },
    });
    const server = new SyncbusHttpServer(
      HttpSettingsSchema.parse({ port: 0 }),
      [
        {
          name: 'broken',
          registerRoutes: () => {
            throw new Error('plugin bug');
          },
        },
        {
          name: 'hello',
          registerRoutes: (app: FastifyInstance) => void app.get('/hello', async () => ({ hello: 'world' })),
        },
      ],
      logger,
    );
    const url = await server.start();
    expect(await (await fetch(`${url}/hello`)).json()).toEqual({ hello: 'world' });
    expect((await fetch(`${url}/missing`)).status).toBe(404);
    expect(lines).toContainEqual(
      expect.objectContaining({ contribution: 'broken', msg: expect.stringMatching(/contribution failed/) }),
    );

    const port = Number(new URL(url).port);
    await server.stop();
    await expect(fetch(`${url}/hello`)).rejects.toThrow();
    expect(await server.start({ port })).toBe(url);
    expect((await fetch(`${url}/hello`)).status).toBe(200);
    await server.stop();
  });
});
