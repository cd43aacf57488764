// `syncbus objects`: what a node's model packages gave it, and an import that either writes every object of a
// file (logging their tasks) or, for any bad object or file, nothing, with an error naming it and the exit code.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../support/run-cli';

const root = resolve(__dirname, '..', '..');

describe('syncbus objects', () => {
  const dir = mkdtempSync(join(tmpdir(), 'syncbus-objects-'));
  // A target that is never started: the imported objects' tasks wait for it.
  const servers = [{ name: 'production', url: 'http://127.0.0.1:9', secret: 'env:SYNCBUS_OBJECTS_SECRET' }];
  const env = { SYNCBUS_OBJECTS_SECRET: 'objects-test-secret-0123456789abcdef' };
  const config = (name: string, plugins: string[]) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(
      file,
      JSON.stringify({ nodeName: name, database: { url: `sqlite:${name}.sqlite` }, plugins, servers }),
    );
    return file;
  };
  const withModel = config('editorial', ['@syncbus/sample-content-model']);
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const cli = (...args: string[]) => runCli(args, { cwd: root, env });
  // Commands that manage rows never change the schema: the operator migrates first.
  beforeAll(async () => expect((await cli('-c', withModel, 'migrate')).code).toBe(0));
  const count = async () =>
    (
      JSON.parse((await cli('-c', withModel, 'objects', 'types', '--json')).stdout) as { objects: number }[]
    ).map((t) => t.objects);

  it('says how to add a model when a node has none', async () => {
    const bare = config('bare', []);
    expect((await cli('-c', bare, 'migrate')).code).toBe(0);
    const run = await cli('-c', bare, 'objects', 'types');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/no synchronized object types: add a model package to "plugins"/);
  });

  it.each([
    ['not JSON', '{"objects": [', 2, /is not JSON/],
    ['of the wrong shape', { objects: [{ objectType: 'cms.category' }] }, 2, /objects\.0\.objectGuid/],
    [
      'nested too deeply',
      { objects: [], deep: JSON.parse('['.repeat(80) + ']'.repeat(80)) },
      2,
      /deeper than 64/,
    ],
    [
      'naming a type the node does not know (after a good object)',
      {
        objects: [
          { objectType: 'cms.category', objectGuid: 'news', data: { name: 'News' } },
          { objectType: 'cms.page', objectGuid: 'home', data: {} },
        ],
      },
      4,
      /objects\[1\] \(cms\.page 'home'\): Object type 'cms\.page' is not synchronized.*Nothing was imported/,
    ],
    [
      'with a property the type lacks',
      { objects: [{ objectType: 'cms.category', objectGuid: 'news', data: { colour: 'red' } }] },
      4,
      /has no property 'colour'/,
    ],
  ])('refuses a file %s, and imports nothing', async (name, content, code, message) => {
    const run = await cli('-c', withModel, 'objects', 'import', file(`${name}.json`, content));
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
    expect(await count()).toEqual([0, 0]);
  });

  it('imports every object of a good file, logging a task per change, and lists them', async () => {
    const run = await cli(
      '-c',
      withModel,
      'objects',
      'import',
      '--user',
      'importer',
      file('good.json', {
        objects: [
          { objectType: 'cms.category', objectGuid: 'news', data: { name: 'News' } },
          {
            objectType: 'cms.article',
            objectGuid: 'a-1',
            data: { title: 'One', category: { $ref: { type: 'cms.category', identity: 'news' } } },
          },
        ],
      }),
    );
    expect(run).toMatchObject({ code: 0, stdout: expect.stringMatching(/imported 2 object/) });
    expect(await count()).toEqual([1, 1]);
    const listed = await cli('-c', withModel, 'objects', 'list', 'cms.article');
    expect(listed.stdout).toMatch(/a-1\s+One/);
    const tasks = JSON.parse((await cli('-c', withModel, 'tasks', 'list', '--json')).stdout) as object[];
    expect(tasks).toEqual([
      expect.objectContaining({ server: 'production', objectType: 'cms.category', taskType: 'create' }),
      expect.objectContaining({ server: 'production', objectType: 'cms.article', taskType: 'create' }),
    ]);
    expect((await cli('-c', withModel, 'objects', 'list', 'cms.page')).code).toBe(4);
  });
});
