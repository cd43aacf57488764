// The dashboard in a real browser (Chromium through playwright-core) against a source and a target node on
// loopback: sign in, a stopped target's pending tasks and error, Synchronize selected and all with live rows and
// a progress bar, a failed task retried after the fix, a task's detail and Delete, a server disabled, and a server
// paused (its tasks are logged and wait, nothing is sent) then resumed.
import { AdminModule } from '@syncbus/admin';
import { SyncbusHttpServer } from '@syncbus/server';
import { StagingEvents, SynchronizationInfoProvider } from '@syncbus/staging';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Article } from '../support/content-model';
import { bootStagingNode, createTestSecret, eventually, type StagingNode } from '../support/staging-nodes';
import { launchBrowser, newPage, screenshot, signIn, WAIT_MS } from './browser';

jest.setTimeout(60_000);

describe('the dashboard of a source staging to a target', () => {
  const operator = createTestSecret();
  const secret = createTestSecret();
  let target: StagingNode;
  let source: StagingNode;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** While true, the target refuses the article 'broken' (as a host's handler would). */
  let refuseBroken = true;

  beforeAll(async () => {
    [browser, target] = await Promise.all([
      launchBrowser(),
      bootStagingNode({ name: 'production', acceptFrom: [{ server: 'editorial', secret }] }),
    ]);
    target.kernel.get(StagingEvents).processTask.before.add(({ task }) => {
      if (refuseBroken && task.objectGuid === 'broken') throw new Error('production refuses broken articles');
    });
    source = await bootStagingNode({
      name: 'editorial',
      modules: [AdminModule],
      servers: [{ name: 'production', url: target.url!, secret }],
      // One attempt: a task the target refuses is failed at once. Small batches: a job has several.
      staging: { batchSize: 5, retry: { maxAttempts: 1, baseDelayMs: 60_000, maxDelayMs: 60_000 } },
      config: { admin: { enabled: true, tokens: [{ name: 'ops', role: 'operator', token: operator.ref }] } },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await source?.stop();
    await target?.stop();
  });
  beforeEach(async () => ({ context, page } = await newPage(browser)));
  afterEach(async () => context?.close());

  const articles = () => source.storage.dataSource.getRepository(Article);
  const onTarget = (guid: string) => target.storage.dataSource.getRepository(Article).findOneBy({ guid });
  /** The table row of the task titled `title`. */
  const row = (title: string) => page.getByRole('row', { name: new RegExp(`\\b${title}\\b`) });
  const openTasks = async () => {
    await page.getByRole('link', { name: 'Tasks of production' }).click();
    await page.getByRole('heading', { name: 'Tasks of production', level: 1 }).waitFor();
  };
  const nav = async (view: string) => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: view }).click();
    await page.getByRole('heading', { name: view, level: 1 }).waitFor();
  };
  const card = (name: string) => page.getByRole('article', { name: new RegExp(`Server ${name}`) });
  /** The progress of the job labelled `label`. */
  const job = (label: string | RegExp) => page.getByRole('group', { name: label });

  it('signs in with a token and shows the target server as a card', async () => {
    await signIn(page, source.url!, operator.value);
    await card('production').getByText('Delivering').waitFor();
    await page.getByText('editorial', { exact: true }).waitFor();
    await page.getByText('ops (operator)').waitFor();
    await page.getByText('This node has no integration bus.').waitFor();
  });

  it('shows the tasks waiting while the target is stopped, and the error on its card', async () => {
    const http = target.kernel.get(SyncbusHttpServer);
    const port = Number(new URL(target.url!).port);
    await http.stop();
    try {
      for (let i = 1; i <= 4; i++) await articles().save({ guid: `s-${i}`, title: `Stopped ${i}` });
      await signIn(page, source.url!, operator.value);
      await card('production').getByText('4', { exact: true }).first().waitFor();
      await openTasks();
      for (let i = 1; i <= 4; i++) await row(`Stopped ${i}`).waitFor();

      await page.getByRole('button', { name: 'Synchronize all' }).click();
      await job('Synchronizing all tasks waiting for production')
        .getByText(/finished: 0 of 4 delivered, 4 still waiting/)
        .waitFor();
      // The failed batch's error reaches the rows live.
      await row('Stopped 1').locator('.error-text').filter({ hasText: /\S/ }).waitFor();
      await screenshot(page, 'tasks');

      await nav('Overview');
      const production = card('production');
      await production.getByText('Down').waitFor();
      await production.getByText('Last error:').waitFor();
      expect(await production.textContent()).toMatch(/Pending\s*4/);
      await screenshot(page, 'overview');
    } finally {
      await http.start({ port });
    }
  });

  it('synchronizes the two selected tasks: exactly those leave the table, live, without a reload', async () => {
    await signIn(page, source.url!, operator.value);
    await openTasks();
    await page.evaluate(() => ((globalThis as any).notReloaded = true));
    await page.getByRole('checkbox', { name: /Stopped 1$/ }).check();
    await page.getByRole('checkbox', { name: /Stopped 3$/ }).check();
    await page.getByRole('button', { name: 'Synchronize selected (2)' }).click();
    await row('Stopped 1').waitFor({ state: 'detached' });
    await row('Stopped 3').waitFor({ state: 'detached' });
    await job('Synchronizing 2 task(s)')
      .getByText(/finished: 2 of 2 delivered/)
      .waitFor();
    await row('Stopped 2').waitFor();
    await row('Stopped 4').waitFor();
    expect(await page.evaluate(() => (globalThis as any).notReloaded)).toBe(true);
    expect(await onTarget('s-1')).toMatchObject({ title: 'Stopped 1' });
    expect(await onTarget('s-3')).toMatchObject({ title: 'Stopped 3' });
    expect(await onTarget('s-2')).toBeNull();
  });

  it('drops a row the moment someone else delivers it, from the event stream alone', async () => {
    await signIn(page, source.url!, operator.value);
    await openTasks();
    await row('Stopped 2').waitFor();
    const listReads: string[] = [];
    page.on('request', (request) => {
      if (/\/v1\/staging\/tasks\?/.test(request.url())) listReads.push(request.url());
    });
    const [task] = (await source.kernel.get(SynchronizationInfoProvider).list({ title: 'Stopped 2' })).map(
      (t) => t.taskId,
    );
    // Another operator (or a script) synchronizes it through the API, not through this page.
    const answer = await fetch(`${source.url}/syncbus/admin/v1/staging/tasks/synchronize`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator.value}`, 'content-type': 'application/json' },
      body: JSON.stringify({ server: 'production', taskIds: [task] }),
    });
    expect(answer.status).toBe(202);
    await row('Stopped 2').waitFor({ state: 'detached' });
    expect(listReads).toEqual([]);
    await row('Stopped 4').waitFor();
  });

  it('synchronizes all with a progress bar until nothing waits', async () => {
    for (let i = 1; i <= 12; i++) await articles().save({ guid: `b-${i}`, title: `Bulk ${i}` });
    await signIn(page, source.url!, operator.value);
    await openTasks();
    await row('Bulk 12').waitFor();
    await page.getByRole('button', { name: 'Synchronize all' }).click();
    await page.getByRole('progressbar', { name: /Synchronizing all tasks waiting for production/ }).waitFor();
    await job('Synchronizing all tasks waiting for production')
      .getByText(/finished: 13 of 13 delivered\./)
      .waitFor();
    await page.getByText('No tasks wait for production.').waitFor();
    expect(await onTarget('b-12')).toMatchObject({ title: 'Bulk 12' });
    await nav('Overview');
    await card('production').getByText('Delivering').waitFor();
    await page
      .getByRole('img', { name: 'Throughput and pending chart of Server production' })
      .locator('canvas')
      .waitFor();
    await screenshot(page, 'overview-throughput');
  });

  it('lists a task the target refuses under Failed with its message, and retries it once fixed', async () => {
    await articles().save({ guid: 'broken', title: 'Broken article' });
    await signIn(page, source.url!, operator.value);
    await openTasks();
    await page.getByRole('button', { name: 'Synchronize all' }).click();
    await job(/Synchronizing all tasks/)
      .getByText(/finished: 0 of 1 delivered, 1 failed/)
      .waitFor();
    await nav('Failed');
    const group = page.getByRole('region', { name: /production refuses broken articles/ });
    await group.getByRole('row', { name: /Broken article/ }).waitFor();
    await screenshot(page, 'failed');

    refuseBroken = false;
    await group.getByRole('button', { name: /Retry all/ }).click();
    await page.getByText('Nothing has failed.').waitFor();
    await eventually(() => onTarget('broken'), 'the retried task to be applied on production', WAIT_MS);
  });

  it("shows a task's data, its changes against the object's previous task, origin and status; Delete", async () => {
    await articles().save({ guid: 'd-1', title: 'Draft one', body: 'First words.' });
    const draft = (await articles().findOneByOrFail({ guid: 'd-1' }))!;
    await articles().save({ ...draft, title: 'Draft two' });
    const [, update] = await source.kernel.get(SynchronizationInfoProvider).list({ server: 'production' });
    // As a change received from an authoring node and logged on would carry it.
    await source.storage.dataSource.query(
      `UPDATE staging_task SET origin = '["authoring"]' WHERE id = ${update.taskId}`,
    );

    await signIn(page, source.url!, operator.value);
    await openTasks();
    await page.getByRole('link', { name: 'Draft two' }).click();
    await page.getByRole('heading', { name: `Task #${update.taskId}: Draft two` }).waitFor();
    const diff = page.getByRole('table', { name: /Fields that differ from task #/ });
    await diff.getByRole('row', { name: /title.*Draft one.*Draft two/ }).waitFor();
    await page
      .getByRole('list', { name: /Origin chain/ })
      .getByText('authoring')
      .waitFor();
    const status = page.getByRole('table', { name: 'Servers this task waits for' });
    await status.getByRole('row', { name: /production\s+pending\s+0/ }).waitFor();
    await screenshot(page, 'task');

    await status.getByRole('button', { name: 'Delete for production' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByText(`Task #${update.taskId} no longer waits for any server.`).waitFor();

    // The create stays; Delete selected takes it from the list.
    await page.goto(`${source.url}/syncbus/admin/#/servers/production/tasks`);
    await page.getByRole('checkbox', { name: /Draft one$/ }).check();
    await page.getByRole('button', { name: 'Delete selected' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No tasks wait for production.').waitFor();
    expect(await source.kernel.get(SynchronizationInfoProvider).list()).toEqual([]);
  });

  it('disables a server and its card turns red; the audit trail says who did it', async () => {
    await signIn(page, source.url!, operator.value);
    await nav('Servers');
    await page.getByRole('button', { name: 'Disable production' }).click();
    await page.getByText('production is disabled.').waitFor();
    await page.getByRole('button', { name: 'Enable production' }).waitFor();

    await nav('Overview');
    await card('production').getByText('Disabled').waitFor();
    expect(await card('production').getAttribute('class')).toMatch(/card-red/);

    await nav('Audit');
    const trail = page.getByRole('table', { name: 'Audit trail, newest first' });
    await trail.getByRole('row', { name: /ops\s+servers\.disable.*production.*ok/ }).waitFor();
    await trail
      .getByRole('row', { name: /staging\.tasks\.delete/ })
      .first()
      .waitFor();
    await screenshot(page, 'audit');

    await page.setViewportSize({ width: 390, height: 844 });
    await nav('Overview');
    await card('production').getByText('Disabled').waitFor();
    await screenshot(page, 'overview-narrow');
    await page.goto(`${source.url}/syncbus/admin/#/servers`);
    await page.getByRole('button', { name: 'Enable production' }).click();
    await page.getByRole('button', { name: 'Disable production' }).waitFor();
  });

  it('pauses a server: its card turns amber, tasks are logged and wait, nothing is sent until it is resumed', async () => {
    await signIn(page, source.url!, operator.value);
    await nav('Servers');
    await page.getByRole('button', { name: 'Pause production' }).click();
    await page
      .getByText('production is paused: its tasks are logged and wait until it is resumed.')
      .waitFor();
    await page.getByRole('button', { name: 'Resume production' }).waitFor();
    await page.getByRole('row', { name: /production.*enabled paused/ }).waitFor();
    await screenshot(page, 'servers');

    await nav('Overview');
    const production = card('production');
    await production.getByText('Paused', { exact: true }).waitFor();
    expect(await production.getAttribute('class')).toMatch(/card-amber/);
    expect(await production.getAttribute('class')).not.toMatch(/card-red/);
    await articles().save({ guid: 'p-1', title: 'Paused one' });
    await articles().save({ guid: 'p-2', title: 'Paused two' });
    // The card follows the logged tasks live: the pending count grows while the server is paused.
    await production.getByText(/Pending\s*2\b/).waitFor();
    await screenshot(page, 'overview-paused');

    await openTasks();
    await page.getByText(/production is paused: its tasks are still logged and wait here/).waitFor();
    await row('Paused two').waitFor();
    expect(await page.getByRole('button', { name: 'Synchronize all' }).isDisabled()).toBe(true);
    // A synchronize asked for through the API is refused, and nothing reaches the target.
    const refused = await fetch(`${source.url}/syncbus/admin/v1/staging/tasks/synchronize`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator.value}`, 'content-type': 'application/json' },
      body: JSON.stringify({ server: 'production' }),
    });
    expect([refused.status, ((await refused.json()) as { error: string }).error]).toEqual([
      409,
      'SERVER_PAUSED',
    ]);
    expect(await onTarget('p-1')).toBeNull();
    await screenshot(page, 'tasks-paused');

    await page.getByRole('button', { name: 'Resume production' }).click();
    await page.getByRole('button', { name: 'Pause production' }).waitFor();
    await page.getByText(/production is paused/).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Synchronize all' }).click();
    await job('Synchronizing all tasks waiting for production')
      .getByText(/finished: 2 of 2 delivered\./)
      .waitFor();
    await page.getByText('No tasks wait for production.').waitFor();
    expect(await onTarget('p-1')).toMatchObject({ title: 'Paused one' });
    expect(await onTarget('p-2')).toMatchObject({ title: 'Paused two' });
  });
});
