// Publishing as the ecosystem expects (issue 19, item 5): every published package is packed with `npm pack`, the
// tarballs are installed into a scratch project outside the workspace (with the peers a host installs: typeorm and
// better-sqlite3, not pg), and a child process there requires and imports every entry point and boots a node
// from them. A file a package needs at runtime but does not ship fails here, as it would for a host.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  main?: string;
  exports?: Record<string, string | Record<string, string>>;
  repository?: { type: string; url: string; directory: string };
  homepage?: string;
  bugs?: { url: string };
  peerDependencies?: Record<string, string>;
}

/** The published packages: lerna's `packages/*` and `plugins/*`, without private ones. */
const published = ['packages', 'plugins']
  .flatMap((group) => readdirSync(join(root, group)).map((name) => `${group}/${name}`))
  .filter((dir) => existsSync(join(root, dir, 'package.json')))
  .map((dir) => ({ dir, manifest: readJson<Manifest>(join(root, dir, 'package.json')) }))
  .filter((p) => !p.manifest.private);

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Every specifier a package's `exports` offers code (`.` and subpaths), e.g. `@syncbus/core/internal`. */
function entryPoints(manifest: Manifest): string[] {
  if (!manifest.main && !manifest.exports?.['.']) return [];
  const subpaths = Object.keys(manifest.exports ?? { '.': '' }).filter(
    (key) => key !== './package.json' && !key.includes('*'),
  );
  return subpaths.map((key) => (key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Folders of every installed copy of `name` in a node_modules tree, nested ones included. */
function copiesOf(nodeModules: string, name: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    if (existsSync(join(dir, name, 'package.json'))) found.push(join(dir, name));
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === '.bin') continue;
      const folder = join(dir, entry.name);
      const packages = entry.name.startsWith('@')
        ? readdirSync(folder).map((scoped) => join(folder, scoped))
        : [folder];
      for (const pkg of packages) if (existsSync(join(pkg, 'node_modules'))) walk(join(pkg, 'node_modules'));
    }
  };
  walk(nodeModules);
  return found;
}

/** Runs a command, failing with its output when it fails. */
function run(command: string, args: string[], cwd: string, timeout = 180_000): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout, env: childEnv() });
  if (result.status !== 0)
    throw new Error(
      `${command} ${args.join(' ')} in ${cwd} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`,
    );
  return result.stdout;
}

/** The environment without anything that would let the scratch project resolve from the workspace. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_PATH;
  delete env.NODE_OPTIONS;
  for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key];
  return env;
}

const scratch = mkdtempSync(join(tmpdir(), 'syncbus-pack-install-'));
const tarballs = join(scratch, 'tarballs');
const project = join(scratch, 'host');
const nodeModules = join(project, 'node_modules');
const entries = Object.fromEntries(published.map((p) => [p.manifest.name, entryPoints(p.manifest)]));
let packed: { name: string; filename: string; files: { path: string }[] }[] = [];

beforeAll(() => {
  mkdirSync(tarballs);
  mkdirSync(project);
  packed = JSON.parse(
    run(
      'npm',
      ['pack', '--json', '--pack-destination', tarballs, ...published.flatMap((p) => ['--workspace', p.dir])],
      root,
    ),
  );

  // The peers a SQLite host installs, at the workspace's versions so the npm cache answers.
  const sqlite = readJson<Manifest>(require.resolve('better-sqlite3/package.json'));
  const typeorm = readJson<Manifest>(join(dirname(require.resolve('typeorm')), 'package.json'));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'syncbus-pack-install-host',
      private: true,
      dependencies: {
        ...Object.fromEntries(packed.map((p) => [p.name, `file:${join(tarballs, p.filename)}`])),
        typeorm: typeorm.version,
        'better-sqlite3': sqlite.version,
      },
    }),
  );
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'],
    project,
    300_000,
  );
  // better-sqlite3's own install compiles its binding (a minute here); this test is about syncbus's packages, so the
  // workspace's compiled binding of the same version is copied in instead.
  const binding = join('build', 'Release', 'better_sqlite3.node');
  mkdirSync(join(nodeModules, 'better-sqlite3', 'build', 'Release'), { recursive: true });
  copyFileSync(
    join(dirname(require.resolve('better-sqlite3/package.json')), binding),
    join(nodeModules, 'better-sqlite3', binding),
  );
  for (const script of ['scratch-host.cjs', 'scratch-imports.mjs'])
    copyFileSync(join(__dirname, script), join(project, script));
}, 420_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it('packs every published package, and nothing of the workspace stays behind in a tarball', () => {
  expect(packed.map((p) => p.name).sort()).toEqual(published.map((p) => p.manifest.name).sort());
  for (const { name, files } of packed) {
    const paths = files.map((f) => f.path);
    expect({
      name,
      leftovers: paths.filter((p) => /\.spec\.|tsbuildinfo$|(^|\/)node_modules\//.test(p)),
    }).toEqual({
      name,
      leftovers: [],
    });
    expect({ name, license: paths.includes('LICENSE'), readme: paths.includes('README.md') }).toEqual({
      name,
      license: true,
      readme: true,
    });
  }
});

it('says where each package lives: repository with its directory, homepage and bugs', () => {
  for (const { dir, manifest } of published) {
    const installed = readJson<Manifest>(join(nodeModules, manifest.name, 'package.json'));
    expect({ name: manifest.name, directory: installed.repository?.directory }).toEqual({
      name: manifest.name,
      directory: dir,
    });
    expect(installed.repository?.url).toBe('git+https://github.com/syncbus/syncbus.git');
    expect(installed.homepage).toBe(`https://github.com/syncbus/syncbus/tree/main/${dir}#readme`);
    expect(installed.bugs?.url).toBe('https://github.com/syncbus/syncbus/issues');
  }
});

it('ships what every source map and declaration map points at, and READMEs link only absolute URLs', () => {
  for (const { manifest } of published) {
    const folder = join(nodeModules, manifest.name);
    const broken: string[] = [];
    for (const map of filesUnder(folder).filter((f) => f.endsWith('.map'))) {
      const { sources, sourceRoot } = readJson<{ sources: string[]; sourceRoot?: string }>(map);
      for (const source of sources)
        if (!existsSync(resolve(dirname(map), sourceRoot ?? '', source)))
          broken.push(`${relative(folder, map)} -> ${source}`);
    }
    expect({ name: manifest.name, broken }).toEqual({ name: manifest.name, broken: [] });
    const readme = readFileSync(join(folder, 'README.md'), 'utf8');
    const relativeLinks = [...readme.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1])
      .filter((target) => !/^(https?:|mailto:|#)/.test(target));
    expect({ name: manifest.name, relativeLinks }).toEqual({ name: manifest.name, relativeLinks: [] });
  }
});

it('installs one copy of the kernel and of typeorm, and no pg for a SQLite host', () => {
  expect(copiesOf(nodeModules, '@syncbus/core').map((dir) => relative(project, dir))).toEqual([
    'node_modules/@syncbus/core',
  ]);
  expect(copiesOf(nodeModules, 'typeorm').map((dir) => relative(project, dir))).toEqual([
    'node_modules/typeorm',
  ]);
  expect(copiesOf(nodeModules, 'pg')).toEqual([]);
  // Every peer range is met (npm ls exits non-zero on an invalid or missing non-optional peer).
  execFileSync('npm', ['ls', '--all', '--json'], { cwd: project, env: childEnv(), stdio: 'pipe' });
});

it('requires and imports every entry point, and boots a node from the installed packages', () => {
  const argument = JSON.stringify(entries);
  const host = JSON.parse(run('node', ['scratch-host.cjs', argument], project, 120_000)) as {
    loaded: Record<string, string[]>;
    resolved: { core: string; typeorm: string; pg: string | null };
    node: {
      stagingTasks: number;
      health: { status: number; body: { status: string; database: string } };
      dashboard: { status: number; type: string };
      adminNode: number;
    };
    withoutPg: { code?: string; message?: string; booted?: boolean };
  };
  const imported = JSON.parse(run('node', ['scratch-imports.mjs', argument], project, 120_000)) as Record<
    string,
    string[]
  >;

  const specifiers = Object.values(entries).flat();
  expect(specifiers).toContain('@syncbus/core');
  for (const specifier of specifiers) {
    const cjs = host.loaded[specifier];
    expect({ specifier, exports: cjs.length > 0 }).toEqual({ specifier, exports: true });
    // An ESM host sees the same names as named imports, not only as properties of the default export (which is
    // `module.exports` itself there, so a plugin's `default` is left out of the comparison).
    const esm = imported[specifier];
    const named = cjs.filter((name) => name !== 'default');
    expect({ specifier, missingInEsm: named.filter((name) => !esm.includes(name)) }).toEqual({
      specifier,
      missingInEsm: [],
    });
  }
  expect(host.resolved.core.startsWith(project)).toBe(true);
  expect(host.resolved.typeorm.startsWith(project)).toBe(true);
  expect(host.resolved.pg).toBeNull();

  // The model's entity was captured: one task for the one enabled server.
  expect(host.node.stagingTasks).toBe(1);
  expect(host.node.health).toMatchObject({ status: 200, body: { status: 'ok', database: 'sqlite' } });
  expect(host.node.dashboard.status).toBe(200);
  expect(host.node.dashboard.type).toMatch(/^text\/html/);
  expect(host.node.adminNode).toBe(200);

  expect(host.withoutPg).toEqual({
    code: 'DATABASE_DRIVER_MISSING',
    message: expect.stringMatching(/driver 'pg' is not installed; install pg: npm install pg$/),
  });

  // The command a host runs (`npx syncbus`) starts from the installed bin.
  expect(run(join(nodeModules, '.bin', 'syncbus'), ['--version'], project).trim()).toBe(
    readJson<Manifest>(join(root, 'packages', 'cli', 'package.json')).version,
  );
}, 240_000);
