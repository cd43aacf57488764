// Boots a host node with the content model, the integration bus and the scripted fixture connectors (loaded by
// package name, as a host loads them), with fast timings; plus a bounded wait for conditions.
import { createLogger, Kernel, type Logger } from '@syncbus/core';
import { IntegrationModule } from '@syncbus/integration';
import { contentModel } from '../support/content-model';

/** The fixture package the tests load connectors from. */
export const FIXTURE_PACKAGE = '@syncbus-fixtures/scripted-connector';

/** Integration settings that make retries and polling fast enough for tests. */
export const FAST_INTEGRATION = {
  pollIntervalMs: 50,
  callTimeoutMs: 1000,
  skipDelayMs: 150,
  leaseMs: 2000,
  retry: { maxAttempts: 3, baseDelayMs: 40, maxDelayMs: 80 },
};

/** A connector entry with a valid config. */
export const connectorEntry = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  config: { endpoint: `https://${name}.example.test/api` },
  ...extra,
});

/** Options of `bootIntegrationNode`. */
export interface IntegrationNodeOptions {
  readonly url: string;
  readonly integration?: Record<string, unknown>;
  readonly connectors?: readonly Record<string, unknown>[];
  readonly logger?: Logger;
}

/** Boots a node; connectors `alpha` and `beta` are listed (enabled) unless `connectors` says otherwise. */
export function bootIntegrationNode(options: IntegrationNodeOptions): Promise<Kernel> {
  return Kernel.boot({
    config: {
      database: { url: options.url },
      plugins: [FIXTURE_PACKAGE],
      integration: { ...FAST_INTEGRATION, ...options.integration },
      connectors: options.connectors ?? [connectorEntry('alpha'), connectorEntry('beta')],
    },
    modules: [IntegrationModule],
    ...contentModel,
    logger: options.logger ?? createLogger({ level: 'silent' }),
  });
}

export { until } from '../support/until';
