// The real browser the dashboard tests drive: Debian's Chromium, headless, through playwright-core, with a fresh
// profile and nothing that reaches the network on its own. A missing Chromium fails the suite (never a skip).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.SYNCBUS_CHROMIUM ?? '/usr/bin/chromium';

/** Where each view's screenshot goes (gitignored; copies for the docs live in docs/images/). */
export const SCREENSHOTS = join(__dirname, 'screenshots');

/** Every wait in these tests is bounded by this (ms). */
export const WAIT_MS = 10_000;

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The dashboard tests need Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does), ` +
        'or set SYNCBUS_CHROMIUM to its path.',
    );
  }
  // playwright launches with a fresh temporary profile (--user-data-dir) and removes it on close.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A new context (its own sessionStorage) and page, at a laptop's size unless told otherwise. */
export async function newPage(
  browser: Browser,
  viewport = { width: 1280, height: 860 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  return { context, page };
}

/** Saves a full-page screenshot of what the page shows now as `<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Opens the dashboard of `nodeUrl` and signs in with `token`, waiting for the overview. */
export async function signIn(page: Page, nodeUrl: string, token: string): Promise<void> {
  await page.goto(`${nodeUrl}/syncbus/admin/`);
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
}
