import { CoreSettingsSchema, createLogger } from '@syncbus/core';
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
      CoreSettingsSchema.parse({}),
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

  it.each([
    ['all', 200],
    ['receiver', 200],
    ['worker', 404],
    ['log-only', 404],
  ] as const)(
    'a process of role %s answers %d on a receiving route; health routes always',
    async (role, status) => {
      const route = (name: string, path: string, receives?: boolean) => ({
        name,
        receives,
        registerRoutes: (app: FastifyInstance) => void app.get(path, async () => ({ name })),
      });
      const server = new SyncbusHttpServer(
        HttpSettingsSchema.parse({ port: 0 }),
        [route('receiver', '/receive', true), route('health', '/health')],
        createLogger({ level: 'silent' }),
        CoreSettingsSchema.parse({ role }),
      );
      const url = await server.start();
      try {
        expect((await fetch(`${url}/receive`)).status).toBe(status);
        expect((await fetch(`${url}/health`)).status).toBe(200);
      } finally {
        await server.stop();
      }
    },
  );
});
