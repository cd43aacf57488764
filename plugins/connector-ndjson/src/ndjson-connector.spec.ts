// The template's own tests, written as a third party writes them: the SDK's testing entry boots a real node that
// loads this package from its own folder (built first: plugins load from dist through the manifest) and a model
// package.
import {
  connectorQueue,
  connectorSettled,
  startTestNode,
  waitFor,
  type TestNode,
} from '@syncbus/integration/sdk/testing';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const THIS_PACKAGE = resolve(__dirname, '..');
const lines = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { objectType: string; objectGuid: string; taskType: string })
    : [];

describe('NdjsonConnector', () => {
  let node: TestNode | undefined;
  afterEach(async () => {
    await node?.stop();
    node = undefined;
  });
  const boot = (file: string) =>
    startTestNode({
      plugins: [THIS_PACKAGE, '@syncbus/sample-content-model'],
      connectors: [{ name: 'ndjson', config: { path: file } }],
    });
  // The model package's entity, by its name: the connector's own code never imports a host's model.
  const save = (guid: string, title: string) =>
    node!.storage.dataSource.getRepository('Article').save({ guid, title });

  it('appends every change as one line', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ndjson-spec-')), 'tasks.ndjson');
    node = await boot(file);
    await save('spec-1', 'Hello');
    const { syncLog } = await connectorSettled(node, 'ndjson');
    expect(syncLog).toEqual([]);
    expect(lines(file).map((l) => `${l.objectType} ${l.objectGuid} ${l.taskType}`)).toEqual([
      'cms.article spec-1 create',
    ]);
  });

  it('holds tasks while its folder cannot be written, then writes them once it can', async () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'ndjson-spec-')), 'later');
    const file = join(folder, 'tasks.ndjson');
    node = await boot(file);
    await save('spec-2', 'Held');
    const [held] = await waitFor(async () => {
      const rows = await connectorQueue(node!, 'ndjson');
      return rows[0]?.lastError ? rows : undefined;
    }, 'the task to say why it waits');
    expect(held.lastError).toMatch(/cannot write to .*later \(ENOENT\); create the folder/);
    mkdirSync(folder);
    await connectorSettled(node, 'ndjson');
    expect(lines(file).map((l) => l.objectGuid)).toEqual(['spec-2']);
  });
});
