// `syncbus audit list` shows the audit trail the admin API writes, newest first, as a table or JSON.
import { AdminAudit, AdminModule } from '@syncbus/admin';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-cli';
import { bootStagingNode } from '../support/staging-nodes';

it('lists what operators did, newest first, and pages back by id', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'syncbus-audit-'));
  const databaseUrl = `sqlite:${join(dir, 'node.sqlite')}`;
  // The node that the admin API ran on wrote these; the CLI reads the same database afterwards.
  const node = await bootStagingNode({ name: 'editorial', databaseUrl, http: false, modules: [AdminModule] });
  const audit = node.kernel.get(AdminAudit);
  await audit.recordAlone({
    actor: 'ops',
    action: 'servers.disable',
    target: { server: 'qa' },
    outcome: 'SERVER_NOT_FOUND',
    detail: 'no such server',
  });
  await audit.recordAlone({
    actor: 'ann',
    action: 'staging.tasks.retry',
    target: { taskIds: [7] },
    outcome: 'TASK_NOT_FOUND',
    detail: 'gone',
  });
  await node.stop();
  writeFileSync(
    join(dir, 'syncbus.config.json'),
    JSON.stringify({ nodeName: 'editorial', database: { url: databaseUrl } }),
  );

  const cli = (...args: string[]) => runCli(args, { cwd: dir });
  expect((await cli('migrate')).code).toBe(0); // the CLI's node has the integration bus too
  const listed = await cli('audit', 'list', '--json');
  expect(listed.code).toBe(0);
  const entries = JSON.parse(listed.stdout) as {
    id: number;
    actor: string;
    action: string;
    target: unknown;
  }[];
  expect(entries.map((e) => [e.actor, e.action, e.target])).toEqual([
    ['ann', 'staging.tasks.retry', { taskIds: [7] }],
    ['ops', 'servers.disable', { server: 'qa' }],
  ]);
  const table = await cli('audit', 'list', '--before', String(entries[0].id));
  expect(table.stdout).toMatch(/ops\s+servers\.disable\s+\{"server":"qa"\}\s+SERVER_NOT_FOUND/);
  expect(table.stdout).not.toMatch(/staging\.tasks\.retry/);
  expect((await cli('audit', 'list', '--limit', '0')).code).toBe(2);
});
