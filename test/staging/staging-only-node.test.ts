// The HTTP server knows no feature package: a node with staging and the server only (as a content staging target
// would run) serves the staging receiver and staging's metrics, and never loads the integration bus's code.
// A child process, so the module cache it reports is the node's alone.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { tempSqliteUrl } from '../support/temp-sqlite';

const root = resolve(__dirname, '..', '..');

const script = `
const { Kernel, createLogger } = require('@syncbus/core');
const { StagingModule } = require('@syncbus/staging');
const { ServerModule, SyncbusHttpServer } = require('@syncbus/server');
(async () => {
  const kernel = await Kernel.boot({
    config: { database: { url: process.argv[1] }, http: { port: 0 } },
    modules: [StagingModule, ServerModule],
    logger: createLogger({ level: 'silent' }),
  });
  const url = kernel.get(SyncbusHttpServer).url;
  const post = (path) => fetch(url + path, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
  const staging = await post('/syncbus/staging/v1/tasks');
  const inbound = await post('/syncbus/integration/v1/connectors/webhook/tasks');
  const metrics = await (await fetch(url + '/metrics')).text();
  await kernel.stop();
  const loaded = Object.keys(require.cache);
  console.log(JSON.stringify({
    staging: staging.status,
    inbound: inbound.status,
    stagingMetrics: metrics.includes('syncbus_staging_synchronizations'),
    integrationMetrics: metrics.includes('syncbus_integration'),
    integrationCode: loaded.filter((f) => f.includes(${JSON.stringify(join('packages', 'integration'))})),
  }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

it('a staging-only node serves staging routes and metrics and loads no integration code', () => {
  const run = spawnSync(process.execPath, ['-e', script, tempSqliteUrl('staging-only')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual({
    staging: 415, // the receiver route is there (and refuses a non-JSON body as documented)
    inbound: 404, // the integration bus's route is not
    stagingMetrics: true,
    integrationMetrics: false,
    integrationCode: [],
  });
}, 90_000);
