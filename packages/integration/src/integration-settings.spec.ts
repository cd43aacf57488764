// The integration section refuses timings under which a task could be called twice at once.
import { IntegrationSettingsSchema } from './integration-settings';

describe('IntegrationSettingsSchema', () => {
  it('defaults to a call time limit below the lease', () => {
    const settings = IntegrationSettingsSchema.parse({});
    expect(settings.callTimeoutMs).toBeLessThan(settings.leaseMs);
  });

  it('refuses a call time limit not below the lease, saying what to change', () => {
    const parsed = IntegrationSettingsSchema.safeParse({ callTimeoutMs: 5000, leaseMs: 5000 });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues).toEqual([
      expect.objectContaining({
        path: ['callTimeoutMs'],
        message: expect.stringMatching(
          /must be less than integration\.leaseMs.*raise leaseMs or lower callTimeoutMs/,
        ),
      }),
    ]);
    expect(IntegrationSettingsSchema.safeParse({ callTimeoutMs: 4999, leaseMs: 5000 }).success).toBe(true);
  });
});
