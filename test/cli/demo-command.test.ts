// `syncbus demo --once`: the user's first command runs to completion and everything arrives.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-cli';

describe('syncbus demo', () => {
  it('stages, auto-syncs and sends to the webhook sink, then exits 0 with an identical target', async () => {
    const run = await runCli(['demo', '--once', '--burst', '20'], {
      cwd: mkdtempSync(join(tmpdir(), 'syncbus-cli-demo-')),
      timeoutMs: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/logged +create +cms\.category +news/);
    expect(run.stdout).toMatch(/applied +delete +cms\.article/);
    expect(run.stdout).toMatch(/connector +update +cms\.category +news +received by the webhook sink/);
    expect(run.stdout).toMatch(/staging tasks logged (\d+), applied on production \1 /);
    expect(run.stdout).toMatch(
      /integration tasks logged (\d+), received by the webhook sink \1 \(signature checked; 0 rejected\)/,
    );
    expect(run.stdout).toMatch(/content of editorial and production: identical/);
    expect(run.stdout).toMatch(/everything arrived\./);
    // Both nodes serve the dashboard; the demo prints where, with the token to sign in with.
    expect(run.stdout).toMatch(
      /dashboards: editorial http:\/\/127\.0\.0\.1:\d+\/syncbus\/admin\/, production http:\/\/127\.0\.0\.1:\d+\/syncbus\/admin\/ \(sign in with the operator token [0-9a-f]{48}\)/,
    );
  });
});
