// A SQLite path a node can never use fails fast with exit 5 ("database unreachable") and names the path: under a
// regular file (was: exit 1 with EEXIST), on a kernel filesystem (was: 100% CPU for ever under /proc).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-cli';

describe('SQLite paths that cannot hold a database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'syncbus-db-paths-'));
  writeFileSync(join(dir, 'regular'), 'not a folder');

  it.each([
    ['under a regular file', 'sqlite:regular/node.sqlite', /regular is a file, not a folder/],
    ['in a new folder under /proc', 'sqlite:/proc/syncbus-test/node.sqlite', /\/proc is on procfs/],
    ['directly in /proc', 'sqlite:/proc/node.sqlite', /\/proc is on procfs/],
    ['in /sys', 'sqlite:/sys/node.sqlite', /\/sys is on sysfs/],
  ])('refuses a file %s with exit 5, naming the path', async (_, url, why) => {
    const config = join(dir, `${url.replace(/\W/g, '_')}.json`);
    writeFileSync(config, JSON.stringify({ database: { url } }));
    const run = await runCli(['-c', config, 'migrate'], { cwd: dir, timeoutMs: 15_000 });
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(why);
    expect(run.stderr).toContain(url.slice('sqlite:'.length).replace(/^regular/, join(dir, 'regular')));
  });
});
