import { inspect } from 'node:util';
import { z } from 'zod';
import { ConfigError } from '../errors';
import { parseSettings } from './parse-settings';
import { Secret, SecretRef } from './secret';

const ServersSection = {
  key: 'servers',
  token: Symbol('ServersSettings'),
  schema: z
    .object({ qa: z.object({ url: z.string().url(), secret: SecretRef }).strict().optional() })
    .strict(),
};

describe('parseSettings', () => {
  it('fills defaults for an empty config', () => {
    const { core, sections } = parseSettings({}, [], {});
    expect(core).toEqual({
      nodeName: 'local',
      database: {
        url: 'sqlite:syncbus.sqlite',
        synchronize: false,
        busyTimeoutMs: 5000,
        poolSize: 10,
        checkpointIntervalMs: 200,
      },
      log: { level: 'info' },
      role: 'all',
      plugins: [],
    });
    expect(sections.size).toBe(0);
  });

  it('lets SYNCBUS_* environment variables override the file', () => {
    const { core } = parseSettings(
      { nodeName: 'from-file', database: { url: 'sqlite:file.sqlite', poolSize: 3 } },
      [],
      {
        SYNCBUS_DATABASE_URL: 'postgres://db/syncbus',
        SYNCBUS_NODE_NAME: 'edge-1',
        SYNCBUS_LOG_LEVEL: 'debug',
        SYNCBUS_ROLE: 'worker',
      },
    );
    expect(core.nodeName).toBe('edge-1');
    expect(core.role).toBe('worker');
    expect(core.database).toMatchObject({ url: 'postgres://db/syncbus', poolSize: 3 });
    expect(core.log.level).toBe('debug');
  });

  it('reads "env:NAME" secret references from the environment it is given, never printing them', () => {
    const { sections } = parseSettings(
      { servers: { qa: { url: 'https://qa.example', secret: 'env:QA_SECRET' } } },
      [ServersSection],
      { QA_SECRET: 's3cret-value' },
    );
    const secret = (sections.get('servers') as { qa: { secret: Secret } }).qa.secret;
    expect(secret).toBeInstanceOf(Secret);
    expect(secret.reveal()).toBe('s3cret-value');
    expect(secret.source).toBe('env:QA_SECRET');
    expect(JSON.stringify({ secret })).toBe('{"secret":"[secret]"}');
    expect(`${secret}`).toBe('[secret]');
    expect(inspect({ secret })).not.toContain('s3cret-value');
  });

  it('refuses a secret written into the file and an unset variable, listing every problem by path', () => {
    const parse = () =>
      parseSettings(
        {
          nodeName: 'bad name',
          log: { level: 'loud' },
          servers: { qa: { url: 'not a url', secret: 'plain-text-secret' } },
          colour: 'blue',
        },
        [ServersSection],
        {},
      );
    let error: unknown;
    try {
      parse();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    if (!(error instanceof ConfigError)) return;
    expect(error.problems.map((p) => p.path).sort()).toEqual(
      ['colour', 'log.level', 'nodeName', 'servers.qa.secret', 'servers.qa.url'].sort(),
    );
    expect(error.message).not.toContain('plain-text-secret');

    expect(() =>
      parseSettings(
        { servers: { qa: { url: 'https://qa.example', secret: 'env:UNSET_SECRET' } } },
        [ServersSection],
        {},
      ),
    ).toThrow(/servers\.qa\.secret: environment variable UNSET_SECRET is not set/);
  });
});
