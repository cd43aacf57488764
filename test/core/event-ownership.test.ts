// After-events are subscribe-only for everyone but their owner: what a plugin gets from an events class cannot
// emit, and the packages do not export the emitters their own services use.
import { AfterEventEmitter, SyncEventEmitter } from '@syncbus/core';
import * as integration from '@syncbus/integration';
import * as staging from '@syncbus/staging';

describe('event ownership', () => {
  it('an event handed out can be handled and subscribed to, but not emitted; its emitter delivers', () => {
    const emitter = new SyncEventEmitter<{ n: number }>('test.event', () => undefined);
    const seen: number[] = [];
    const subscription = emitter.event.after.subscribe(({ n }) => seen.push(n));
    expect('emit' in emitter.event.after).toBe(false);
    expect(emitter.observed).toBe(true);
    emitter.emitAfter({ n: 1 });
    expect(seen).toEqual([1]);
    subscription.unsubscribe();
    expect(emitter.observed).toBe(false);

    const after = new AfterEventEmitter<string>('test.after', () => undefined);
    expect('emit' in after.event).toBe(false);
  });

  it('staging and integration export their events classes, not their emitters', () => {
    expect(Object.keys(staging)).toContain('StagingEvents');
    expect(Object.keys(staging)).not.toContain('StagingEventEmitters');
    expect(Object.keys(integration)).toContain('IntegrationEvents');
    expect(Object.keys(integration)).not.toContain('IntegrationEventEmitters');
  });
});
