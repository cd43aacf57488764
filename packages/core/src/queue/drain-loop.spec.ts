import { DrainLoop, type DrainLoopOptions, type DrainPass } from './drain-loop';

/** Polls `condition` every 5 ms until it holds; fails after `timeoutMs`. */
async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A promise the test resolves by hand. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('DrainLoop', () => {
  const loops: DrainLoop[] = [];
  afterEach(async () => {
    await Promise.all(loops.splice(0).map((l) => l.stop()));
  });

  /** A loop whose passes answer what `passes` returns, recording when each pass started. */
  function makeLoop(
    pass: (index: number) => DrainPass | Promise<DrainPass>,
    options: Partial<DrainLoopOptions> = {},
  ) {
    const started: number[] = [];
    const errors: unknown[] = [];
    const loop = new DrainLoop({
      drain: async () => {
        started.push(Date.now());
        return pass(started.length);
      },
      pollIntervalMs: 0,
      backoff: { baseDelayMs: 200, maxDelayMs: 200 },
      onError: (error) => errors.push(error),
      ...options,
    });
    loops.push(loop);
    return { loop, started, errors };
  }

  it('runs a first pass on start, and coalesces any number of kicks during a pass into one more pass', async () => {
    const first = gate();
    const { loop, started } = makeLoop(async (index) => {
      if (index === 1) await first.promise;
      return { nextDueAt: undefined };
    });
    loop.start();
    await until(() => started.length === 1, 'the first pass');
    for (let i = 0; i < 500; i++) loop.kick();
    first.open();
    await until(() => started.length === 2, 'the coalesced pass');
    // Idle with polling off: nothing runs until the next kick.
    loop.kick();
    await until(() => started.length === 3, 'a pass after a kick while idle');
    expect(loop.passCount).toBe(3);
  });

  it('runs again at once while work is due, and sleeps until the next due time otherwise', async () => {
    let dueAt = 0;
    const { loop, started } = makeLoop((index) => {
      if (index < 3) return { nextDueAt: 0 };
      if (index === 3) {
        dueAt = Date.now() + 120;
        return { nextDueAt: dueAt };
      }
      return { nextDueAt: undefined };
    });
    loop.start();
    await until(() => started.length === 4, 'the pass at the due time');
    expect(started[3]).toBeGreaterThanOrEqual(dueAt - 5);
  });

  it('polls while idle when a poll interval is set (work logged by other processes)', async () => {
    const { loop, started } = makeLoop(() => ({ nextDueAt: undefined }), { pollIntervalMs: 30 });
    loop.start();
    await until(() => started.length === 3, 'two polls');
    expect(started[2] - started[1]).toBeGreaterThanOrEqual(25);
  });

  it('backs off after a failed pass and does not let kicks hammer the target; success resets the backoff', async () => {
    const { loop, started } = makeLoop((index) => ({
      failed: index <= 2,
      nextDueAt: index <= 2 ? 0 : undefined,
    }));
    loop.start();
    await until(() => started.length === 1, 'the failing pass');
    for (let i = 0; i < 50; i++) loop.kick();
    await until(() => started.length === 3, 'two passes after backoffs');
    // Jittered delays lie in [base/2, base].
    expect(started[1] - started[0]).toBeGreaterThanOrEqual(95);
    expect(started[2] - started[1]).toBeGreaterThanOrEqual(95);
    expect(loop.consecutiveFailures).toBe(0);
    loop.kick();
    await until(() => started.length === 4, 'a kick answered at once after recovery');
  });

  it('treats a thrown pass as failed: reports the error and backs off', async () => {
    const boom = new Error('database went away');
    const { loop, started, errors } = makeLoop((index) => {
      if (index === 1) throw boom;
      return { nextDueAt: undefined };
    });
    loop.start();
    await until(() => started.length === 2, 'the pass after the backoff');
    expect(errors).toEqual([boom]);
    expect(started[1] - started[0]).toBeGreaterThanOrEqual(95);
  });

  it('pauses instead of spinning when work is due but the pass could claim none', async () => {
    const { loop, started } = makeLoop((index) => ({ nextDueAt: index < 3 ? 0 : undefined, worked: false }), {
      minPauseMs: 40,
    });
    loop.start();
    await until(() => started.length === 3, 'three passes');
    expect(started[2] - started[0]).toBeGreaterThanOrEqual(75);
  });

  it('stop lets the pass in hand finish, starts no other, and wakes a sleeping loop', async () => {
    const inHand = gate();
    let finished = false;
    const { loop, started } = makeLoop(async () => {
      await inHand.promise;
      finished = true;
      return { nextDueAt: 0 };
    });
    loop.start();
    await until(() => started.length === 1, 'the pass in hand');
    loop.kick();
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    inHand.open();
    await stopping;
    expect(finished).toBe(true);
    expect(started).toHaveLength(1);

    const { loop: idle } = makeLoop(() => ({ nextDueAt: undefined }));
    idle.start();
    await until(() => idle.passCount === 1, 'the idle loop to sleep');
    await idle.stop();
    idle.kick();
    expect(idle.passCount).toBe(1);
  });
});
