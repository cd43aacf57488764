// The demo's conflict: an editor edits an article on production directly, editorial changes the same article, the
// target holds the task as a conflict, and the demo resolves it as an operator would.
import type { Kernel } from '@syncbus/core';
import { Storage } from '@syncbus/core';
import { Article } from '@syncbus/sample-content-model';
import { StagingConflicts } from '@syncbus/staging';

/** What the demo's conflict came to. */
export interface DemoConflictResult {
  /** Conflicts the target recorded (1 when all went as scripted). */
  readonly recorded: number;
  readonly resolved: boolean;
}

/**
 * Edits `title`'s article on `target` (as an editor fixing a typo in production), then its body on `source`;
 * waits for the target to hold the task, shows the conflict and resolves it by taking the source's version.
 */
export async function demoConflict(
  source: Kernel,
  target: Kernel,
  say: (line: string) => void,
  deadline: number,
): Promise<DemoConflictResult> {
  const onTarget = target.get(Storage).dataSource.getRepository(Article);
  const onSource = source.get(Storage).dataSource.getRepository(Article);
  const article = await onTarget.findOneByOrFail({ title: 'Welcome to syncbus!' });
  await onTarget.save({ ...article, title: 'Welcome to syncbus! (fixed on production)' });
  const original = await onSource.findOneByOrFail({ guid: article.guid });
  await onSource.save({ ...original, body: 'Hello, and welcome.' });

  const conflicts = target.get(StagingConflicts);
  let held = (await conflicts.list({ status: 'open' }))[0];
  while (!held && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    held = (await conflicts.list({ status: 'open' }))[0];
  }
  if (!held) {
    say('  the edit on production met no conflict: NOT as expected');
    return { recorded: (await conflicts.list()).length, resolved: false };
  }
  const fields = (json: string | null) =>
    json === null ? {} : (JSON.parse(json) as Record<string, unknown>);
  const [base, theirs, ours] = [fields(held.base), fields(held.source), fields(held.target)];
  say(
    `           conflict ${held.id} held on production: ${held.objectType} ${held.objectGuid} (${held.kind})`,
  );
  for (const field of Object.keys(base).filter(
    (k) => JSON.stringify(theirs[k]) !== JSON.stringify(ours[k]),
  )) {
    say(
      `             ${field}: base ${JSON.stringify(base[field])}, editorial ${JSON.stringify(theirs[field])}, production ${JSON.stringify(ours[field])}`,
    );
  }
  await conflicts.resolve(held.id, 'source', 'demo');
  say(
    `           resolved: took editorial's version (syncbus conflicts resolve ${held.id} --take source); ` +
      `production's edit stays in the record (--take target would bring it back)`,
  );
  return { recorded: (await conflicts.list()).length, resolved: true };
}
