// The kernel validates its config (and the environment's overrides) before it creates anything, and hands
// modules their sections, with secrets read from the environment it was booted with.
import { ConfigError, inject, Kernel, Module, RegisterModule, Secret, SecretRef } from '@syncbus/core';
import { z } from 'zod';
import { captureLogger } from '../support/captured-logger';
import { tempSqliteUrl } from '../support/temp-sqlite';

const WebhookSettings = Symbol('WebhookSettings');
const WebhookSettingsSchema = z.object({ url: z.string().url(), secret: SecretRef }).strict();

@RegisterModule({ settings: [{ key: 'webhook', schema: WebhookSettingsSchema, token: WebhookSettings }] })
class WebhookModule extends Module {
  constructor(@inject(WebhookSettings) readonly settings: z.infer<typeof WebhookSettingsSchema>) {
    super('Webhook');
  }
}

describe('kernel configuration', () => {
  it('gives a module its section, with secrets from the env option rather than process.env', async () => {
    expect(process.env.HOOK_SECRET).toBeUndefined();
    const kernel = await Kernel.boot({
      config: {
        database: { url: tempSqliteUrl('config') },
        webhook: { url: 'https://hooks.example/in', secret: 'env:HOOK_SECRET' },
      },
      env: { HOOK_SECRET: 'from-the-node-env', SYNCBUS_NODE_NAME: 'node-b' },
      modules: [WebhookModule],
      logger: captureLogger('warn').logger,
    });
    try {
      const module = kernel.get(WebhookModule);
      expect(module.settings.secret).toBeInstanceOf(Secret);
      expect(module.settings.secret.reveal()).toBe('from-the-node-env');
      expect(kernel.settings.core.nodeName).toBe('node-b');
    } finally {
      await kernel.stop();
    }
  });

  it('reports a bad log level from the environment as a config problem, not a logger crash', async () => {
    const boot = Kernel.boot({
      config: { database: { url: tempSqliteUrl('config') } },
      env: { SYNCBUS_LOG_LEVEL: 'chatty' },
    });
    const error = await boot.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.path)).toEqual(['log.level']);
  });
});
