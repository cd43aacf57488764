import { ConfigError } from '@syncbus/core';
import { parseSettings } from '@syncbus/core/internal';
import { StagingAutoSyncSettings, StagingAutoSyncSettingsSchema } from './staging-auto-sync-settings';

const section = {
  key: 'stagingAutoSync',
  schema: StagingAutoSyncSettingsSchema,
  token: StagingAutoSyncSettings,
};

describe('stagingAutoSync settings', () => {
  it('defaults: every enabled server, staging batch size, one request in flight, backoff 1 s to 1 min, poll 5 s', () => {
    const { sections } = parseSettings({}, [section], {});
    expect(sections.get('stagingAutoSync')).toEqual({
      enabled: true,
      maxInFlight: 1,
      backoff: { baseDelayMs: 1000, maxDelayMs: 60_000 },
      pollIntervalMs: 5000,
    });
  });

  it('lists every wrong field by path', () => {
    let error: unknown;
    try {
      parseSettings(
        {
          stagingAutoSync: {
            servers: [],
            maxInFlight: 0,
            backoff: { baseDelayMs: 5000, maxDelayMs: 10 },
            pollIntervalMs: -1,
            colour: 'blue',
          },
        },
        [section],
        {},
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.path).sort()).toEqual([
      'stagingAutoSync',
      'stagingAutoSync.backoff.maxDelayMs',
      'stagingAutoSync.maxInFlight',
      'stagingAutoSync.pollIntervalMs',
      'stagingAutoSync.servers',
    ]);
  });
});
