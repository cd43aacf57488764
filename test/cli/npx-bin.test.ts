// The README writes every command as `npx syncbus ...`: after `npm ci` in a fresh clone that must run this
// repository's CLI, never ask the public registry for a package named `syncbus`. CI runs from a fresh clone.
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');

it('npx syncbus resolves to the workspace CLI, linked at install time', () => {
  // npm links a bin only if its file exists when it installs, so the bin must be a committed file, not dist/.
  expect(realpathSync(join(root, 'node_modules', '.bin', 'syncbus'))).toBe(
    join(root, 'packages', 'cli', 'bin', 'syncbus.js'),
  );
  // --no-install: a missing link fails here instead of fetching whatever the registry holds under that name.
  const run = spawnSync('npx', ['--no-install', 'syncbus', '--help'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.stderr).not.toMatch(/npm error|E404|need to install/i);
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^Usage: syncbus \[options\] \[command\]/);
  expect(run.stdout).toMatch(/servers/);
}, 90_000);
