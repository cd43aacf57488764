// Connectors load from a plugin package named in the config: rows, seed lookups, config validation by path,
// check() failures, and connectors that cannot work leave their tasks waiting with the reason while others work.
import { ConfigError, Kernel, Storage } from '@syncbus/core';
import {
  IntegrationConnectorInfoProvider,
  IntegrationConnectorRegistry,
  IntegrationHelper,
  IntegrationSynchronizations,
} from '@syncbus/integration';
import { BaseIntegrationConnector } from '@syncbus/integration/sdk';
import { AlphaConnector, resetScripts, scriptOf } from '@syncbus-fixtures/scripted-connector';
import { Article } from '../support/content-model';
import { captureLogger } from '../support/captured-logger';
import { tempSqliteUrl } from '../support/temp-sqlite';
import { bootIntegrationNode, connectorEntry, until } from './integration-node';
import { setSuiteEnv } from '../support/suite-env';

describe('connector loading (SQLite)', () => {
  // The connectors' secrets, by reference from their configs.
  setSuiteEnv({ SCRIPTED_ALPHA_KEY: 'alpha-secret-value', SCRIPTED_BETA_KEY: 'beta-secret-value' });
  let kernel: Kernel | undefined;
  beforeEach(() => resetScripts());
  afterEach(async () => {
    await kernel?.stop();
    kernel = undefined;
  });

  it('loads connectors from the plugin package, records their rows, and finds them as in the seed', async () => {
    kernel = await bootIntegrationNode({
      url: tempSqliteUrl('connectors'),
      connectors: [
        connectorEntry('alpha', {
          config: { endpoint: 'https://a.example.test', apiKey: 'env:SCRIPTED_ALPHA_KEY' },
        }),
      ],
    });
    const info = await kernel.get(IntegrationConnectorInfoProvider).getIntegrationConnectorInfo('alpha');
    expect(info).toEqual({
      connectorId: expect.any(Number),
      connectorName: 'alpha',
      connectorDisplayName: 'Alpha CRM',
      connectorPackage: '@syncbus-fixtures/scripted-connector',
      connectorVersion: '1.2.0',
      connectorEnabled: true,
      // the row holds the validated config (defaults filled in) with the reference, never the secret
      connectorConfig: { endpoint: 'https://a.example.test', apiKey: 'env:SCRIPTED_ALPHA_KEY', retries: 3 },
      connectorPaused: false,
      connectorProblem: null,
      connectorProblemUntil: null,
    });
    // beta is loaded from the package but not listed in "connectors": known, and off
    expect(
      await kernel.get(IntegrationConnectorInfoProvider).getIntegrationConnectorInfo('beta'),
    ).toMatchObject({
      connectorEnabled: false,
    });
    expect(
      await kernel.get(IntegrationConnectorInfoProvider).getIntegrationConnectorInfo('gamma'),
    ).toBeUndefined();

    const connector = kernel.get(IntegrationHelper).getConnector(info!.connectorName);
    expect(connector).toBeInstanceOf(BaseIntegrationConnector);
    expect(connector!.connectorName).toBe('alpha');
    expect(connector!.subscriptions).toEqual([
      { objectType: '*', taskType: '*', processType: 'async', dataType: 'simple' },
    ]);
    expect(kernel.get(IntegrationHelper).getConnector('gamma')).toBeUndefined();
    const rows = kernel.get(Storage).sqlite!.db.prepare('SELECT config FROM integration_connector').all() as {
      config: string;
    }[];
    expect(JSON.stringify(rows)).not.toContain('alpha-secret-value');
  });

  it('a refused config is not stored (it may hold a secret typed in plain); a valid one keeps secrets as references', async () => {
    const url = tempSqliteUrl('connectors');
    kernel = await bootIntegrationNode({
      url,
      connectors: [
        connectorEntry('alpha', {
          config: { endpoint: 'https://a.example.test', apiKey: 'plain-secret-123' },
        }),
        connectorEntry('beta', {
          config: { endpoint: 'https://b.example.test', apiKey: { env: 'SCRIPTED_BETA_KEY' } },
        }),
      ],
    });
    const provider = kernel.get(IntegrationConnectorInfoProvider);
    expect((await provider.getIntegrationConnectorInfo('alpha'))!.connectorConfig).toEqual({});
    expect((await provider.getIntegrationConnectorInfo('beta'))!.connectorConfig).toEqual({
      endpoint: 'https://b.example.test',
      apiKey: 'env:SCRIPTED_BETA_KEY',
      retries: 3,
    });
    const rows = JSON.stringify(
      await kernel.get(Storage).dataSource.query('SELECT * FROM integration_connector'),
    );
    expect(rows).not.toContain('plain-secret-123');
    expect(rows).not.toContain('beta-secret-value');
  });

  it("the connector switch is the row's: kept over restarts unless the config sets it, and followed by running nodes", async () => {
    const url = tempSqliteUrl('connectors');
    kernel = await bootIntegrationNode({ url });
    const running = kernel;
    // A second node on the same database, as a CLI command is: it switches alpha off.
    const cli = await bootIntegrationNode({ url, integration: { processInternal: false } });
    await cli.get(IntegrationConnectorInfoProvider).setIntegrationConnectorEnabled('alpha', false);
    await until(
      () => !running.get(IntegrationConnectorRegistry).get('alpha').enabled,
      'the running node to see alpha switched off',
    );
    await cli.stop();
    await running.get(Storage).dataSource.getRepository(Article).save({ guid: 'a-1', title: 'One' });
    await until(() => scriptOf('beta').received.length === 1, 'beta to process the task');
    expect(await running.get(IntegrationSynchronizations).list('alpha')).toEqual([]);
    await running.stop();

    // A restart (or the next CLI command) does not switch it back on ...
    kernel = await bootIntegrationNode({ url });
    expect(
      (await kernel.get(IntegrationConnectorInfoProvider).getIntegrationConnectorInfo('alpha'))!
        .connectorEnabled,
    ).toBe(false);
    expect(kernel.get(IntegrationConnectorRegistry).get('alpha').enabled).toBe(false);
    await kernel.stop();
    // ... a config entry that says so does.
    kernel = await bootIntegrationNode({
      url,
      connectors: [connectorEntry('alpha', { enabled: true }), connectorEntry('beta', { enabled: false })],
    });
    const provider = kernel.get(IntegrationConnectorInfoProvider);
    expect((await provider.getIntegrationConnectorInfo('alpha'))!.connectorEnabled).toBe(true);
    expect((await provider.getIntegrationConnectorInfo('beta'))!.connectorEnabled).toBe(false);
  });

  it('a config entry naming no loaded connector stops the boot, naming the field', async () => {
    const error = await bootIntegrationNode({
      url: tempSqliteUrl('connectors'),
      connectors: [connectorEntry('alpha'), connectorEntry('gamma')],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      {
        path: 'connectors.1.name',
        message: expect.stringContaining(
          "no loaded plugin registers a connector 'gamma' (loaded: alpha, beta)",
        ),
      },
    ]);
  });

  it('an invalid connector config names every problem by path; its tasks wait with that message while others work', async () => {
    const log = captureLogger('error');
    kernel = await bootIntegrationNode({
      url: tempSqliteUrl('connectors'),
      logger: log.logger,
      connectors: [
        connectorEntry('alpha', { config: { endpoint: 'not a url', retries: -1, colour: 'red' } }),
        connectorEntry('beta'),
      ],
    });
    const line = await log.waitFor((l) => l.connector === 'alpha');
    expect(line.problem).toContain("Connector 'alpha' has an invalid config");
    for (const path of [
      'connectors.0.config.endpoint',
      'connectors.0.config.retries',
      'connectors.0.config',
    ]) {
      expect(line.problem).toContain(`  - ${path}: `);
    }
    expect(line.problem).toMatch(/colour/);

    await kernel.get(Storage).dataSource.getRepository(Article).save({ guid: 'a-1', title: 'One' });
    await until(() => scriptOf('beta').received.length === 1, 'beta to receive the task');
    const waiting = await until(async () => {
      const rows = await kernel!.get(IntegrationSynchronizations).list('alpha');
      return rows[0]?.lastError ? rows : undefined;
    }, "alpha's task to carry the reason it waits");
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ status: 'pending', attempts: 0 });
    expect(waiting[0].lastError).toContain('connectors.0.config.endpoint');
    expect(scriptOf('alpha').received).toEqual([]);
  });

  it('a connector still defining processInternalTaskAsync (the former name) is held, saying what to rename; its task waits', async () => {
    // As a connector written against the former names: the handler exists, under the old name only.
    const legacy = AlphaConnector.prototype as unknown as Record<string, unknown>;
    legacy.processInternalTaskAsync = () => 'OK';
    try {
      kernel = await bootIntegrationNode({ url: tempSqliteUrl('connectors') });
      await kernel.get(Storage).dataSource.getRepository(Article).save({ guid: 'a-1', title: 'One' });
      await until(() => scriptOf('beta').received.length === 1, 'beta to work meanwhile');
      const waiting = await until(async () => {
        const rows = await kernel!.get(IntegrationSynchronizations).list('alpha');
        return rows[0]?.lastError ? rows : undefined;
      }, "alpha's task to carry the reason it waits");
      expect(waiting[0]).toMatchObject({ status: 'pending', attempts: 0 });
      expect(waiting[0].lastError).toContain('rename processInternalTaskAsync to processQueuedTask');
      expect(scriptOf('alpha').received).toEqual([]);
    } finally {
      delete legacy.processInternalTaskAsync;
    }
  });

  it('a connector whose check() fails waits (with the message on its tasks) and starts once check() passes', async () => {
    scriptOf('alpha').checkFailures = 2;
    scriptOf('alpha').checkError = 'CRM login refused';
    kernel = await bootIntegrationNode({ url: tempSqliteUrl('connectors') });
    await kernel.get(Storage).dataSource.getRepository(Article).save({ guid: 'a-1', title: 'One' });
    await until(() => scriptOf('beta').received.length === 1, 'beta to work meanwhile');
    await until(() => scriptOf('alpha').received.length === 1, 'alpha to process once check() passes');
    expect(scriptOf('alpha').checks).toBe(3);
    // The connector is called before its batch settles; the row goes once the settle commits.
    const synchronizations = kernel.get(IntegrationSynchronizations);
    await until(
      async () => (await synchronizations.list('alpha')).length === 0,
      'the synchronization settled',
    );
  });
});
