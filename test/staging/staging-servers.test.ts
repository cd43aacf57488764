// The server registry: configured servers are upserted at start, servers are added, edited, enabled, disabled and
// deleted through the API, and only secret references are ever stored.
import {
  DuplicateServerError,
  ServerInfoProvider,
  StagingValidationError,
  UnknownServerError,
} from '@syncbus/staging';
import { Category } from '../support/content-model';
import {
  bootStagingNode,
  createTestSecret,
  type StagingNode,
  type TestSecret,
} from '../support/staging-nodes';

describe('staging server registry', () => {
  let node: StagingNode;
  let secret: TestSecret;
  beforeEach(async () => {
    secret = createTestSecret();
    node = await bootStagingNode({
      name: 'source',
      http: false,
      servers: [{ name: 'qa', url: 'https://qa.example.com', secret }],
    });
  });
  afterEach(async () => {
    await node.stop();
    delete process.env[secret.variable];
  });

  it('upserts configured servers, storing the secret reference and never its value', async () => {
    const servers = node.kernel.get(ServerInfoProvider);
    expect(await servers.getServers()).toMatchObject([
      { name: 'qa', displayName: 'qa', url: 'https://qa.example.com', enabled: true, secretRef: secret.ref },
    ]);
    const stored = JSON.stringify(await node.storage.dataSource.query('SELECT * FROM staging_server'));
    expect(stored).not.toContain(secret.value);
  });

  it('adds, edits, enables, disables and deletes servers, with clear errors', async () => {
    const servers = node.kernel.get(ServerInfoProvider);
    const prod = await servers.addServer({
      name: 'prod',
      displayName: 'Production',
      url: 'https://www.example.com',
      secret: { env: 'SYNCBUS_SECRET_PROD' },
    });
    expect(prod).toMatchObject({ name: 'prod', enabled: true, secretRef: 'env:SYNCBUS_SECRET_PROD' });
    await expect(
      servers.addServer({ name: 'prod', url: 'https://x.example.com', secret: 'env:X' }),
    ).rejects.toThrow(DuplicateServerError);
    const invalid = await servers
      .addServer({ name: 'bad name', url: 'ftp://x', secret: 'the-secret-itself' })
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(StagingValidationError);
    expect((invalid as StagingValidationError).problems.map((p) => p.path).sort()).toEqual([
      'name',
      'secret',
      'url',
    ]);
    expect((invalid as Error).message).not.toContain('the-secret-itself');

    expect(await servers.editServer('prod', { url: 'https://prod.example.com' })).toMatchObject({
      url: 'https://prod.example.com',
    });
    expect((await servers.disableServer(prod.id)).enabled).toBe(false);
    expect((await servers.getServers({ enabled: true })).map((s) => s.name)).toEqual(['qa']);
    expect((await servers.enableServer('prod')).enabled).toBe(true);
    await expect(servers.enableServer('nowhere')).rejects.toThrow(UnknownServerError);

    // Deleting a server removes its synchronization rows and the tasks nobody else waits for.
    await servers.disableServer('qa');
    await node.storage.dataSource.getRepository(Category).save({ code: 'news', name: 'News' });
    expect(await node.storage.dataSource.query('SELECT id FROM staging_task')).toHaveLength(1);
    await servers.deleteServer('prod');
    expect(await servers.getServer('prod')).toBeUndefined();
    expect(await node.storage.dataSource.query('SELECT id FROM staging_task')).toEqual([]);
    expect(await node.storage.dataSource.query('SELECT id FROM staging_synchronization')).toEqual([]);
  });
});
