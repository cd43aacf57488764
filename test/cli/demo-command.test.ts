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
    // The one warning is production's, about the conflict the demo makes on purpose.
    expect(
      run.stderr
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).msg),
    ).toEqual(['a staging task met an object changed on this node; it is held until a person resolves it']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/logged +create +cms\.category +news/);
    expect(run.stdout).toMatch(/applied +delete +cms\.article/);
    expect(run.stdout).toMatch(/connector +update +cms\.category +news +received by the webhook sink/);
    // Every logged task applied, but the one held as a conflict (resolved on production, then a duplicate).
    const [, logged, applied] = /staging tasks logged (\d+), applied on production (\d+) /.exec(run.stdout)!;
    expect(Number(applied)).toBe(Number(logged) - 1);
    expect(run.stdout).toMatch(/conflict 1 held on production: cms\.article \S+ \(changed\)/);
    expect(run.stdout).toMatch(
      /title: base "Welcome to syncbus!", editorial "Welcome to syncbus!", production ".*\(fixed on production\)"/,
    );
    expect(run.stdout).toMatch(
      /conflicts on production: 1 \(held, then resolved by taking editorial's version\)/,
    );
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
