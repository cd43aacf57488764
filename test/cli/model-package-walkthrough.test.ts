// The README's two-node walkthrough, run as a user runs it: two `syncbus start` processes with the example model
// package stage to each other, objects imported on one arrive on the other, and an edit there comes back. The
// shipped walkthrough configs are used as they are, only with free ports (and one node loads the model by path).
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { freePort } from '../support/free-port';
import { runCli, startNode } from '../support/run-cli';
import { eventually } from '../support/staging-nodes';

const root = resolve(__dirname, '..', '..');
const walkthrough = join(root, 'plugins', 'sample-content-model', 'walkthrough');
const SECRET = 'SYNCBUS_WALKTHROUGH_SECRET';

/** For `eventually`: true once `assertion` passes (it throws until then). */
const holds = (assertion: () => void) => (assertion(), true);

const stopped = (child: ChildProcess) =>
  new Promise<number | null>((done) => {
    if (child.exitCode !== null) return done(child.exitCode);
    child.on('close', (code) => done(code));
    child.kill('SIGTERM');
  });

describe('two syncbus start nodes with the example model package (README walkthrough)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'syncbus-walkthrough-'));
  const env = { [SECRET]: 'walkthrough-secret-0123456789abcdef0123' };
  const nodes: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of nodes) if (child.exitCode === null) child.kill('SIGKILL');
  });

  /** The shipped config with its ports swapped for free ones; `modelByPath` lists the model by its folder. */
  const configure = (name: string, ports: Record<string, number>, modelByPath = false) => {
    let text = readFileSync(join(walkthrough, `${name}.json`), 'utf8');
    for (const [shipped, port] of Object.entries(ports))
      text = text.replaceAll(new RegExp(`\\b${shipped}\\b`, 'g'), String(port));
    const config = JSON.parse(text) as { plugins: string[] };
    if (modelByPath) {
      config.plugins = config.plugins.map((p) =>
        p === '@syncbus/sample-content-model' ? join(root, 'plugins', 'sample-content-model') : p,
      );
    }
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(config));
    return file;
  };
  const rows = (file: string, sql: string) => {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all();
    } finally {
      db.close();
    }
  };
  const articles = (node: string) =>
    rows(
      join(dir, 'data', `${node}.sqlite`),
      'SELECT a.guid, a.title, c.code AS category FROM article a LEFT JOIN category c ON c.id = a.categoryId ' +
        'ORDER BY a.guid',
    );

  it('stages imported objects to the other node and an edit made there back', async () => {
    const ports = { 4301: await freePort(), 4302: await freePort() };
    const production = configure('production', ports, true);
    const editorial = configure('editorial', ports);
    for (const file of ['content.json', 'correction.json'])
      copyFileSync(join(walkthrough, file), join(dir, file));
    nodes.push((await startNode(production, env)).child, (await startNode(editorial, env)).child);

    // From the repository's root, as the README runs them: the model package resolves from there.
    const cli = (...args: string[]) => runCli(args, { cwd: root, env, timeoutMs: 30_000 });
    const imported = await cli('--config', editorial, 'objects', 'import', join(dir, 'content.json'));
    expect(imported).toMatchObject({ code: 0, stdout: expect.stringMatching(/imported 4 object/) });

    const staged = [
      { guid: '6f1c2d3e-0001-4000-8000-000000000001', title: 'syncbus reaches production', category: 'news' },
      { guid: '6f1c2d3e-0001-4000-8000-000000000002', title: 'Writing a model package', category: 'guides' },
    ];
    await eventually(
      () => holds(() => expect(articles('production')).toEqual(staged)),
      'the import on production',
      20_000,
    );
    const types = await cli('--config', production, 'objects', 'types', '--json');
    expect(JSON.parse(types.stdout)).toEqual([
      expect.objectContaining({ type: 'cms.category', objects: 2 }),
      expect.objectContaining({ type: 'cms.article', objects: 2 }),
    ]);

    // Production staged nothing back of what it applied: the origin chain stops the loop.
    const pending = await cli('--config', production, 'tasks', 'list', '--json');
    expect(JSON.parse(pending.stdout)).toEqual([]);

    expect((await cli('--config', production, 'objects', 'import', join(dir, 'correction.json'))).code).toBe(
      0,
    );
    const corrected = { ...staged[0], title: 'syncbus reaches production (corrected there)' };
    await eventually(
      () => holds(() => expect(articles('editorial')).toEqual([corrected, staged[1]])),
      'the correction on editorial',
      20_000,
    );

    // Both nodes stop cleanly on SIGTERM, as `syncbus start` promises.
    expect(await Promise.all(nodes.map(stopped))).toEqual([0, 0]);
  }, 120_000);
});
