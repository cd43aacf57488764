// The dashboard's Conflicts view in a real browser (Chromium through playwright-core) on a target that holds
// conflicts, with a source staging to it over loopback: the list shows a held conflict (and one recorded while it
// is open), the detail shows the three-way diff, Take source resolves it and the object on the target changes, a
// refusal from the API is shown, and a viewer sees no resolve buttons.
import { AdminModule } from '@syncbus/admin';
import { ServerInfoProvider, StagingConflicts, StagingTaskRunnerFactory } from '@syncbus/staging';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Article } from '../support/content-model';
import { bootStagingNode, createTestSecret, type StagingNode } from '../support/staging-nodes';
import { until } from '../support/until';
import { launchBrowser, newPage, screenshot, signIn, WAIT_MS } from './browser';

jest.setTimeout(60_000);

const API = '/syncbus/admin/v1';

describe('the dashboard of a target with conflicts', () => {
  const operator = createTestSecret();
  const viewer = createTestSecret();
  const secret = createTestSecret();
  let target: StagingNode;
  let source: StagingNode;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    [browser, target] = await Promise.all([
      launchBrowser(),
      bootStagingNode({
        name: 'production',
        acceptFrom: [{ server: 'editorial', secret }],
        staging: { receiver: { conflicts: { policy: 'hold' } } },
        modules: [AdminModule],
        config: {
          admin: {
            enabled: true,
            tokens: [
              { name: 'ops', role: 'operator', token: operator.ref },
              { name: 'ann', role: 'viewer', token: viewer.ref },
            ],
          },
        },
      }),
    ]);
    source = await bootStagingNode({
      name: 'editorial',
      http: false,
      servers: [{ name: 'production', url: target.url!, secret }],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await source?.stop();
    await target?.stop();
  });
  beforeEach(async () => ({ context, page } = await newPage(browser)));
  afterEach(async () => context?.close());

  const onSource = () => source.storage.dataSource.getRepository(Article);
  const onTarget = () => target.storage.dataSource.getRepository(Article);
  const sync = async () => {
    const server = (await source.kernel.get(ServerInfoProvider).getServer('production'))!;
    return source.kernel
      .get(StagingTaskRunnerFactory)
      .create(server.id)
      .runSynchronization(undefined, { dueNow: true });
  };
  /** Stages article `guid`, edits its title on the target and its body at the source: the target holds it. */
  const held = async (guid: string, title: string) => {
    const article = await onSource().save({ guid, title, body: 'Mon-Fri 9-17', views: 1 });
    await sync();
    await onTarget().save({ ...(await onTarget().findOneByOrFail({ guid })), title: `${title}, fixed here` });
    await onSource().save({ ...article, body: 'Mon-Sat 9-17' });
    await sync();
    const open = await target.kernel.get(StagingConflicts).list({ status: 'open' });
    const conflict = open.find((c) => c.objectGuid === guid);
    expect(conflict).toMatchObject({ outcome: 'held' });
    return conflict!.id;
  };
  const openConflicts = async () => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Conflicts' }).click();
    await page.getByRole('heading', { name: 'Conflicts', level: 1 }).waitFor();
  };
  const row = (title: string) => page.getByRole('row', { name: new RegExp(title) });
  const diff = () => page.getByRole('table', { name: 'Fields that differ: base, source and target' });

  let hours: number;

  it('lists a held conflict, and one recorded while the list is open, live', async () => {
    hours = await held('p-1', 'Opening hours');
    await signIn(page, target.url!, operator.value);
    await openConflicts();
    await row('Opening hours').getByText('held: waits for a person').waitFor();
    expect(await row('Opening hours').textContent()).toMatch(/editorial.*update.*edited here.*hold/);

    await page.evaluate(() => ((globalThis as any).notReloaded = true));
    await held('p-2', 'Parking');
    await row('Parking').waitFor();
    expect(await page.evaluate(() => (globalThis as any).notReloaded)).toBe(true);
    await screenshot(page, 'conflicts');
  });

  it('shows the three versions field by field, the changed cells marked', async () => {
    await signIn(page, target.url!, operator.value);
    await openConflicts();
    await row('Opening hours').getByRole('link', { name: 'Opening hours' }).click();
    await page.getByRole('heading', { name: `Conflict #${hours}: Opening hours`, level: 1 }).waitFor();
    await diff().waitFor();
    const cells = async (field: string) =>
      diff()
        .getByRole('row', { name: new RegExp(`^${field}`) })
        .getByRole('cell')
        .allTextContents();
    // Base, source, target: the source changed the body, the target the title.
    expect(await cells('body')).toEqual(['Mon-Fri 9-17', 'Mon-Sat 9-17changed', 'Mon-Fri 9-17']);
    expect(await cells('title')).toEqual([
      'Opening hours',
      'Opening hours',
      'Opening hours, fixed herechanged',
    ]);
    expect(await diff().getByRole('row').count()).toBe(3); // the header and the two fields that differ
    await screenshot(page, 'conflict');
  });

  it('resolves with Take source after confirming: the object on the target becomes the source version', async () => {
    await signIn(page, target.url!, operator.value);
    await page.goto(`${target.url}/syncbus/admin/#/conflicts/${hours}`);
    await diff().waitFor();
    await page.getByRole('button', { name: 'Take source' }).click();
    const dialog = page.getByRole('dialog', { name: "Take editorial's version of Opening hours?" });
    await dialog.getByRole('button', { name: 'Take source' }).click();
    await page.getByText(`Conflict #${hours} resolved: took the source.`).waitFor();
    expect(await page.getByRole('toolbar', { name: 'Resolve the conflict' }).count()).toBe(0);
    expect(await page.locator('.facts').textContent()).toMatch(/resolved: took the source.*by ops/);

    const object = await until(
      async () => {
        const now = await onTarget().findOneBy({ guid: 'p-1' });
        return now?.body === 'Mon-Sat 9-17' && now;
      },
      'the source version on the target',
      WAIT_MS,
    );
    expect(object).toMatchObject({ title: 'Opening hours', body: 'Mon-Sat 9-17' });
    // The source's held task is done: sent again, the target answers duplicate.
    expect(await sync()).toMatchObject({ duplicates: 1, conflicts: 1 });

    await openConflicts();
    await row('Parking').waitFor();
    expect(await row('Opening hours').count()).toBe(0);
  });

  it('shows the refusal when someone else resolved the conflict first', async () => {
    const parking = (await target.kernel.get(StagingConflicts).list({ status: 'open' }))[0].id;
    await signIn(page, target.url!, operator.value);
    await page.goto(`${target.url}/syncbus/admin/#/conflicts/${parking}`);
    await diff().waitFor();
    const answer = await fetch(`${target.url}${API}/conflicts/${parking}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator.value}`, 'content-type': 'application/json' },
      body: JSON.stringify({ take: 'target' }),
    });
    expect(answer.status).toBe(200);
    await page.getByRole('button', { name: 'Merge' }).click();
    await page
      .getByRole('dialog', { name: /Merge the two versions/ })
      .getByRole('button', { name: 'Merge' })
      .click();
    await page
      .getByText(/Resolve: CONFLICT_RESOLVED: Conflict \d+ was resolved already \(took-target\)/)
      .waitFor();
    // The page reloads the conflict: resolved, no buttons left.
    await page.getByText('resolved: kept the target').first().waitFor();
    expect(await onTarget().findOneBy({ guid: 'p-2' })).toMatchObject({ title: 'Parking, fixed here' });
  });

  it('shows a viewer the diff but no resolve buttons', async () => {
    const id = await held('p-3', 'Contact');
    await signIn(page, target.url!, viewer.value);
    await page.goto(`${target.url}/syncbus/admin/#/conflicts/${id}`);
    await diff().waitFor();
    await page.getByRole('heading', { name: `Conflict #${id}: Contact`, level: 1 }).waitFor();
    expect(await page.getByRole('button', { name: /Take source|Keep target|Merge/ }).count()).toBe(0);
  });
});
