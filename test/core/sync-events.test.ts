// Before/after events around a real transactional write: a cancel writes nothing, handlers can amend the args,
// and a failing after-subscriber never breaks the operation or the other subscribers.
import { EventCancelledError, Kernel, Storage } from '@syncbus/core';
import { filter, map } from 'rxjs';
import { captureLogger, type CapturedLogger } from '../support/captured-logger';
import { tempSqliteUrl } from '../support/temp-sqlite';
import { NoteEvents, NoteService, noteModules, type NoteCreateArgs } from './note-fixture';

describe('SyncEvent around an operation (SQLite)', () => {
  let kernel: Kernel;
  let log: CapturedLogger;
  let notes: NoteService;
  let events: NoteEvents;

  const rows = () =>
    kernel.get(Storage).sqlite!.db.prepare('SELECT guid, title, tags FROM note ORDER BY id').all() as {
      guid: string;
      title: string;
      tags: string | null;
    }[];

  beforeEach(async () => {
    log = captureLogger();
    kernel = await Kernel.boot({
      config: { database: { url: tempSqliteUrl('events') } },
      modules: noteModules,
      logger: log.logger,
    });
    notes = kernel.get(NoteService);
    events = kernel.get(NoteEvents);
  });
  afterEach(() => kernel.stop());

  it('a cancelling before-handler aborts the operation with a typed error and nothing reaches the table', async () => {
    const afterSeen: NoteCreateArgs[] = [];
    events.create.after.subscribe((args) => void afterSeen.push(args));
    let laterHandlerRan = false;
    events.create.before.add((args, control) => {
      if (args.title.includes('draft')) control.cancel('drafts stay local');
    });
    events.create.before.add(() => void (laterHandlerRan = true));

    const error = await notes.create({ guid: 'n-1', title: 'draft: plans' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(EventCancelledError);
    expect(error).toMatchObject({
      code: 'EVENT_CANCELLED',
      eventName: 'notes.create',
      reason: 'drafts stay local',
    });
    expect(laterHandlerRan).toBe(false);
    expect(rows()).toEqual([]);
    expect(afterSeen).toEqual([]);

    // The same event lets other operations through.
    await notes.create({ guid: 'n-2', title: 'published' });
    expect(rows().map((r) => r.guid)).toEqual(['n-2']);
    expect(afterSeen.map((a) => a.guid)).toEqual(['n-2']);
  });

  it('a throwing before-handler aborts like a cancel; a disposed handler no longer runs', async () => {
    const handle = events.create.before.add(() => {
      throw new Error('quota exceeded');
    });
    await expect(notes.create({ guid: 'n-1', title: 'one' })).rejects.toThrow('quota exceeded');
    expect(rows()).toEqual([]);

    handle.dispose();
    await notes.create({ guid: 'n-1', title: 'one' });
    expect(rows().map((r) => r.guid)).toEqual(['n-1']);
  });

  it('before-handlers run in order and can amend the args in place or replace them; the write and after see the result', async () => {
    const order: string[] = [];
    events.create.before.add(async (args) => {
      order.push('first');
      await Promise.resolve();
      args.title = args.title.trim();
    });
    events.create.before.add((args) => {
      order.push('second');
      return { ...args, tags: [...(args.tags ?? []), 'reviewed'] };
    });
    const afterSeen: NoteCreateArgs[] = [];
    events.create.after.subscribe((args) => void afterSeen.push(args));

    const note = await notes.create({ guid: 'n-1', title: '  Hello  ', tags: ['news'] });

    expect(order).toEqual(['first', 'second']);
    expect(note).toMatchObject({ guid: 'n-1', title: 'Hello', tags: ['news', 'reviewed'] });
    expect(rows()).toEqual([{ guid: 'n-1', title: 'Hello', tags: '["news","reviewed"]' }]);
    expect(afterSeen).toEqual([{ guid: 'n-1', title: 'Hello', tags: ['news', 'reviewed'] }]);
  });

  it('after-subscribers that throw or reject are isolated: the operation succeeds, others get every event, the kernel logs the errors', async () => {
    const received: Record<string, string[]> = { throwing: [], rejecting: [], healthy: [] };
    events.create.after.subscribe((args) => {
      received.throwing.push(args.guid);
      throw new Error(`sync failure on ${args.guid}`);
    });
    events.create.after.subscribe(async (args) => {
      received.rejecting.push(args.guid);
      throw new Error(`async failure on ${args.guid}`);
    });
    events.create.after.subscribe({ next: (args) => void received.healthy.push(args.guid) });

    await expect(notes.create({ guid: 'n-1', title: 'one' })).resolves.toMatchObject({ guid: 'n-1' });
    await expect(notes.create({ guid: 'n-2', title: 'two' })).resolves.toMatchObject({ guid: 'n-2' });

    expect(rows().map((r) => r.guid)).toEqual(['n-1', 'n-2']);
    expect(received).toEqual({
      throwing: ['n-1', 'n-2'],
      rejecting: ['n-1', 'n-2'],
      healthy: ['n-1', 'n-2'],
    });
    for (const message of [
      'sync failure on n-1',
      'sync failure on n-2',
      'async failure on n-1',
      'async failure on n-2',
    ]) {
      const line = await log.waitFor((l) => l.err?.message === message);
      expect(line).toMatchObject({ level: 50, event: 'notes.create' });
      expect(line.msg).toContain("a subscriber of 'notes.create' failed");
    }
  });

  it('a slow after-subscriber does not hold the operation up', async () => {
    let finishSlowWork!: () => void;
    const slowWork = new Promise<void>((resolve) => (finishSlowWork = resolve));
    let slowStarted = false;
    events.create.after.subscribe(async () => {
      slowStarted = true;
      await slowWork;
    });

    await notes.create({ guid: 'n-1', title: 'one' });

    expect(slowStarted).toBe(true);
    expect(rows()).toHaveLength(1);
    finishSlowWork();
  });

  it("an error thrown inside a piped after-chain reaches this kernel's logger, and the chain keeps the rest of the stream flowing", async () => {
    const healthy: string[] = [];
    events.create.after
      .pipe(
        filter((args) => args.guid !== 'skip'),
        map((args) => args.guid),
      )
      .subscribe((guid) => {
        if (guid === 'n-1') throw new Error('piped subscriber failed');
      });
    events.create.after.pipe(map((args) => args.guid)).subscribe((guid) => void healthy.push(guid));

    await notes.create({ guid: 'n-1', title: 'one' });
    await notes.create({ guid: 'n-2', title: 'two' });

    expect(healthy).toEqual(['n-1', 'n-2']);
    const line = await log.waitFor((l) => l.err?.message === 'piped subscriber failed');
    expect(line.level).toBe(50);
  });
});
