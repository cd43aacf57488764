import { SyncbusError } from '../errors';
import { WriteGate } from './write-gate';

describe('WriteGate', () => {
  it('grants the gate in arrival order, one holder at a time', async () => {
    const gate = new WriteGate(1000);
    const order: string[] = [];
    const work = (name: string) =>
      gate.run(async () => {
        order.push(`${name} in`);
        await new Promise<void>((resolve) => setImmediate(resolve));
        order.push(`${name} out`);
      });
    await Promise.all([work('a'), work('b'), work('c')]);
    expect(order).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
    expect(gate.isHeld).toBe(false);
  });

  it('releases on a throw, and a second release call does nothing', async () => {
    const gate = new WriteGate(1000);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(gate.isHeld).toBe(false);

    const release = await gate.acquire();
    const next = gate.acquire();
    expect(gate.queueLength).toBe(1);
    release();
    release();
    const releaseNext = await next;
    expect(gate.isHeld).toBe(true);
    expect(gate.queueLength).toBe(0);
    releaseNext();
    expect(gate.isHeld).toBe(false);
  });

  it('a waiter that times out gets a typed error and leaves the queue intact for those behind it', async () => {
    const gate = new WriteGate(25);
    const release = await gate.acquire();
    const timedOut = gate.acquire();
    await expect(timedOut).rejects.toBeInstanceOf(SyncbusError);
    await expect(timedOut).rejects.toMatchObject({ code: 'WRITE_LOCK_TIMEOUT' });
    expect(gate.queueLength).toBe(0);

    const behind = gate.acquire();
    release();
    (await behind)();
    expect(gate.isHeld).toBe(false);
  });
});
