import { ServersSettingsSchema, StagingSettingsSchema } from './staging-settings';

describe('staging settings', () => {
  it('defaults as documented', () => {
    expect(StagingSettingsSchema.parse({})).toEqual({
      logChanges: true,
      logReceivedChanges: false,
      excludedObjectTypes: [],
      batchSize: 100,
      maxInFlight: 2,
      requestTimeoutMs: 30_000,
      leaseMs: 60_000,
      retry: { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 300_000 },
      receiver: {
        timestampToleranceSeconds: 300,
        maxBodyBytes: 16 * 1024 * 1024,
        sources: [],
        conflicts: { detect: true, policy: 'overwrite', objectTypes: {} },
      },
      receivedTaskRetentionDays: 30,
      receivedTaskPruneIntervalMs: 3_600_000,
    });
  });

  afterAll(() => void delete process.env.SYNCBUS_SPEC_QA_SECRET);

  it('takes servers with secret references only, and treats an absent section as none', () => {
    process.env.SYNCBUS_SPEC_QA_SECRET = 'qa-secret';
    expect(ServersSettingsSchema.parse({})).toEqual([]);
    const [qa] = ServersSettingsSchema.parse([
      { name: 'qa', url: 'https://qa.example.com', secret: 'env:SYNCBUS_SPEC_QA_SECRET' },
    ]);
    expect(qa).toMatchObject({ name: 'qa', enabled: true });
    expect(qa.secret.source).toBe('env:SYNCBUS_SPEC_QA_SECRET');
    expect(JSON.stringify(qa)).not.toContain('qa-secret');
    const bad = ServersSettingsSchema.safeParse([{ name: 'q a', url: 'ftp://x', secret: 'plain-secret' }]);
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['0.name', '0.secret', '0.url']);
  });
});
