// Run by pack-install.test.ts inside a scratch project installed from the packed tarballs, where only that
// project's node_modules resolve: requires every entry point of every package (CommonJS), boots a node whose
// modules are all loaded by package name, and prints what it saw as one JSON line.
'use strict';
const { randomBytes, randomUUID } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

/** `{ "<package>": ["<specifier>", ...] }`: every entry point the packages export. */
const entries = JSON.parse(process.argv[2]);

/** Loads a package's module list as a host's config names it. */
const PLUGINS = [
  '@syncbus/server',
  '@syncbus/staging',
  '@syncbus/integration',
  '@syncbus/admin',
  '@syncbus/plugin-staging-autosync',
  '@syncbus/plugin-integration-autosync',
  '@syncbus/connector-webhook',
  '@syncbus/connector-amqp',
  '@syncbus/connector-ndjson',
  '@syncbus/sample-content-model',
];

function resolvable(id) {
  try {
    return require.resolve(id);
  } catch {
    return undefined;
  }
}

async function bootNode() {
  const { createLogger, Kernel } = require('@syncbus/core');
  const { SyncbusHttpServer } = require('@syncbus/server');
  const { Article } = require('@syncbus/sample-content-model');
  // The host's own typeorm: the kernel binds the DataSource under this very class when there is one copy.
  const { DataSource } = require('typeorm');
  const dir = mkdtempSync(join(tmpdir(), 'syncbus-pack-node-'));
  const env = {
    SYNCBUS_PACK_SECRET: randomBytes(24).toString('hex'),
    SYNCBUS_PACK_TOKEN: randomBytes(24).toString('hex'),
  };
  const kernel = await Kernel.boot({
    config: {
      nodeName: 'pack-install',
      database: { url: `sqlite:${join(dir, 'node.sqlite')}` },
      plugins: PLUGINS,
      http: { enabled: true, port: 0 },
      // Nothing listens there; the task only has to be logged for it.
      servers: [
        { name: 'target', url: 'http://127.0.0.1:9/', enabled: true, secret: 'env:SYNCBUS_PACK_SECRET' },
      ],
      stagingAutoSync: { enabled: false },
      admin: { enabled: true, tokens: [{ name: 'pack', role: 'viewer', token: 'env:SYNCBUS_PACK_TOKEN' }] },
    },
    baseDir: process.cwd(),
    env,
    logger: createLogger({ level: 'silent' }),
  });
  try {
    const url = kernel.get(SyncbusHttpServer).url;
    const dataSource = kernel.get(DataSource);
    await dataSource.getRepository(Article).save({ guid: randomUUID(), title: 'Packed and installed' });
    const [{ tasks }] = await dataSource.query('SELECT COUNT(*) AS tasks FROM staging_task');
    const health = await fetch(`${url}/healthz`);
    const dashboard = await fetch(`${url}/syncbus/admin/`);
    const node = await fetch(`${url}/syncbus/admin/v1/node`, {
      headers: { authorization: `Bearer ${env.SYNCBUS_PACK_TOKEN}` },
    });
    return {
      stagingTasks: Number(tasks),
      health: { status: health.status, body: await health.json() },
      dashboard: { status: dashboard.status, type: dashboard.headers.get('content-type') },
      adminNode: node.status,
    };
  } finally {
    await kernel.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A PostgreSQL URL on a host that installed no `pg`: refused before any connection, saying what to install. */
async function bootWithoutPg() {
  const { createLogger, Kernel } = require('@syncbus/core');
  try {
    const kernel = await Kernel.boot({
      config: { nodeName: 'no-pg', database: { url: 'postgres://syncbus@127.0.0.1:9/none' } },
      logger: createLogger({ level: 'silent' }),
    });
    await kernel.stop();
    return { booted: true };
  } catch (error) {
    return { code: error.code, message: error.message };
  }
}

async function main() {
  const loaded = {};
  for (const specifiers of Object.values(entries))
    for (const specifier of specifiers) loaded[specifier] = Object.keys(require(specifier)).sort();
  const report = {
    loaded,
    resolved: {
      core: require.resolve('@syncbus/core'),
      typeorm: require.resolve('typeorm'),
      pg: resolvable('pg') ?? null,
    },
    node: await bootNode(),
    withoutPg: await bootWithoutPg(),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exitCode = 1;
});
