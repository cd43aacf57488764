// A full disk fails the write that met it and nothing else: the node serves the next request at once, writes again
// as soon as space is freed, and stops promptly. The disk is real: a 2 MiB tmpfs mounted for this suite.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StagingTask } from '@syncbus/staging';
import { Article } from '../support/content-model';
import { bootStagingNode, createTestSecret, type StagingNode } from '../support/staging-nodes';

/** Mounts a small tmpfs, or says why it cannot (not root, no mount permission in this sandbox). */
function mountSmallDisk(): { dir: string; unmount(): void } | { reason: string } {
  const dir = mkdtempSync(join(tmpdir(), 'syncbus-full-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { reason: String((error as { stderr?: Buffer }).stderr ?? error).trim() };
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fills the file system of `dir` but for a few KiB; returns the function that frees the space again. */
function fillDisk(dir: string): () => void {
  const { bavail, bsize } = statfsSync(dir);
  const filler = join(dir, 'filler');
  writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - 8192)));
  return () => rmSync(filler);
}

// Mounted while Jest collects the tests, so a sandbox that cannot mount reports the suite skipped, not passed.
const disk = mountSmallDisk();
const skip = 'reason' in disk;
const unmounted = skip ? `could not mount a tmpfs for the full-disk test (${disk.reason})` : '';
if (skip) {
  if (process.env.CI === 'true') throw new Error(`${unmounted}; CI runs as root and needs it`);
  console.warn(`\n*** SKIPPED: ${unmounted}.\n`);
}
const describeOnSmallDisk = skip ? describe.skip : describe;

describeOnSmallDisk(`a SQLite node on a full disk${skip ? ` (skipped: ${unmounted})` : ''}`, () => {
  let node: StagingNode | undefined;
  afterEach(async () => {
    await node?.stop();
    node = undefined;
    if (!skip) rmSync(join(disk.dir, 'n.sqlite'), { force: true });
  });
  afterAll(() => (skip ? undefined : disk.unmount()));

  const boot = async () => {
    if (skip) throw new Error('unreachable');
    const secret = createTestSecret();
    node = await bootStagingNode({
      name: 'source',
      http: false,
      databaseUrl: `sqlite:${join(disk.dir, 'n.sqlite')}`,
      servers: [{ name: 'target', url: 'http://127.0.0.1:9', secret }],
    });
    return node;
  };
  const loggedGuids = async (n: StagingNode) =>
    (await n.storage.dataSource.getRepository(StagingTask).find({ order: { id: 'ASC' } })).map(
      (t) => t.objectGuid,
    );

  // A wedged node waits 30 s for its write lock on every later call: the 15 s bound fails such a run.
  it('fails only the write that met it, then reads, writes and stops as soon as space is free', async () => {
    if (skip) throw new Error('unreachable');
    const n = await boot();
    const articles = n.storage.dataSource.getRepository(Article);
    await articles.save({ guid: 'before', title: 'Before' });
    const free = fillDisk(disk.dir);
    await expect(articles.save({ guid: 'big', title: 'Big', body: 'x'.repeat(300_000) })).rejects.toThrow(
      /disk is full/,
    );
    // The same inside a host transaction: the whole transaction fails, and the next caller is not kept waiting.
    await expect(
      n.storage.transaction(async (manager) => {
        await manager.save(Article, { guid: 'in-tx', title: 'In a transaction' });
        await manager.save(Article, { guid: 'big-tx', title: 'Big', body: 'y'.repeat(300_000) });
      }),
    ).rejects.toThrow(/disk is full|TRANSACTION_ABORTED|rolled this transaction back/);
    expect(await articles.count()).toBe(1);
    free();
    await articles.save({ guid: 'after', title: 'After' });
    expect((await articles.find({ order: { id: 'ASC' } })).map((a) => a.guid)).toEqual(['before', 'after']);
    // Nothing half-applied: a task for each write that committed, none for those that failed.
    expect(await loggedGuids(n)).toEqual(['before', 'after']);
  }, 15_000);
});
