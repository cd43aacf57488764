import { ConfigError } from '@syncbus/core';
import type { IntegrationConnectorRegistry, IntegrationTaskProcessor } from '@syncbus/integration';
import {
  IntegrationAutoSyncSettingsSchema,
  type IntegrationAutoSyncSettings,
} from './integration-auto-sync-settings';
import { IntegrationAutoSyncTrigger } from './integration-auto-sync-trigger';

describe('IntegrationAutoSyncTrigger', () => {
  const connectors = [
    { id: 1, name: 'MyConnector', enabled: true },
    { id: 2, name: 'OtherConnector', enabled: true },
    { id: 3, name: 'Paused', enabled: false },
  ];
  const registry = {
    all: () => connectors,
    find: (name: string) => connectors.find((c) => c.name === name),
  } as unknown as IntegrationConnectorRegistry;

  function trigger(section: Record<string, unknown>) {
    const woken: number[] = [];
    const processor = { wake: (id: number) => woken.push(id) } as unknown as IntegrationTaskProcessor;
    const settings: IntegrationAutoSyncSettings = IntegrationAutoSyncSettingsSchema.parse(section);
    return { trigger: new IntegrationAutoSyncTrigger(settings, registry, processor), woken };
  }
  const logged = (connectorName: string) => ({ connectorName, task: {} as never });

  it('by default wakes the drain of every enabled connector a task is logged for', () => {
    const { trigger: t, woken } = trigger({});
    for (const name of ['MyConnector', 'OtherConnector', 'Paused', 'Unknown']) t.taskLogged(logged(name));
    t.wakeAll();
    expect(woken).toEqual([1, 2, 1, 2]);
  });

  it('with a connector list, wakes only those connectors', () => {
    const { trigger: t, woken } = trigger({ connectors: ['MyConnector'] });
    t.taskLogged(logged('OtherConnector'));
    t.taskLogged(logged('MyConnector'));
    t.wakeAll();
    expect(woken).toEqual([1, 1]);
  });

  it('switched off, wakes nothing', () => {
    const { trigger: t, woken } = trigger({ enabled: false });
    t.taskLogged(logged('MyConnector'));
    t.wakeAll();
    expect(woken).toEqual([]);
  });

  it('refuses a connector name no loaded plugin registers, naming the loaded ones', () => {
    expect(() => trigger({ connectors: ['MyConnector', 'MyConector'] }).trigger.validate()).toThrow(
      ConfigError,
    );
    expect(() => trigger({ connectors: ['MyConector'] }).trigger.validate()).toThrow(
      /integrationAutoSync\.connectors\.0: no loaded plugin registers a connector 'MyConector' \(loaded: MyConnector, OtherConnector, Paused\)/,
    );
    expect(() => trigger({ connectors: ['OtherConnector'] }).trigger.validate()).not.toThrow();
  });
});
