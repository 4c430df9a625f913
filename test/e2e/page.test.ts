// The page in a real browser (Debian chromium through playwright-core): what an office
// worker sees, the language switch, login, and that hostile text never runs as script.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import anyTest, { type TestFn } from 'ava';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createWebApp } from '../../webui/src/app.js';
import { startWebServer, type WebServer } from '../../webui/src/server.js';
import { fakeDaemon, HOSTILE, PASSWORD } from '../helpers/webui.js';

interface Ctx { server: WebServer; base: string; browser: BrowserContext; profile: string; dialogs: string[]; problems: string[] }
const test = anyTest as TestFn<Ctx>;

export const SCREENSHOT_JA = '/tmp/otasuke-webui-ja.png';
export const SCREENSHOT_EN = '/tmp/otasuke-webui-en.png';

test.before(async (t) => {
  const daemon = fakeDaemon();
  const server = await startWebServer(createWebApp(daemon.deps), { host: '127.0.0.1', port: 0 });
  const profile = await mkdtemp(join(tmpdir(), 'otasuke-e2e-'));
  t.context = { server, base: `http://127.0.0.1:${server.port}`, profile, dialogs: [], problems: [] } as unknown as Ctx;
  t.context.browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1000, height: 900 },
    locale: 'ja-JP',
  });
});

test.after.always(async (t) => {
  await t.context.browser?.close();
  await t.context.server?.close();
  if (t.context.profile) await rm(t.context.profile, { recursive: true, force: true });
});

/** A fresh page (no cookies) that records dialogs, page errors and CSP/console errors. */
async function freshPage(t: { context: Ctx }): Promise<Page> {
  await t.context.browser.clearCookies();
  t.context.dialogs = [];
  t.context.problems = [];
  const page = await t.context.browser.newPage();
  page.on('dialog', (d) => {
    t.context.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => t.context.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') t.context.problems.push(`console: ${m.text()}`); });
  return page;
}

test.serial('the Japanese page shows the state, the newest alert and the desk phone, and reads well', async (t) => {
  const page = await freshPage(t);
  await page.goto(t.context.base + '/');
  t.is(await page.getAttribute('html', 'lang'), 'ja');
  // Blocked attempts and warnings, no sign of infection: 確認 (attention), not 危険 (issue 12).
  t.is((await page.textContent('.state-headline'))?.trim(), '確認が必要です');
  t.is(await page.textContent('.state-icon'), '!', 'state is not shown by colour alone');
  t.regex((await page.textContent('.desk-phone')) ?? '', /06-6000-1234/);
  const first = page.locator('#todo article').first();
  t.regex((await first.textContent()) ?? '', /危険なサーバーへの接続を止めました/);
  t.regex((await first.locator('.alert-call').textContent()) ?? '', /電話 06-6000-1234/);
  await page.screenshot({ path: SCREENSHOT_JA, fullPage: true });
  await page.close();
  t.deepEqual(t.context.problems, []);
});

test.serial('the language switch shows English and is remembered', async (t) => {
  const page = await freshPage(t);
  await page.goto(t.context.base + '/');
  await page.click('a.lang-switch');
  await page.waitForURL(/lang=en/);
  t.is(await page.getAttribute('html', 'lang'), 'en');
  t.is((await page.textContent('.state-headline'))?.trim(), 'Please check');
  await page.goto(t.context.base + '/');
  t.is(await page.getAttribute('html', 'lang'), 'en');
  t.regex((await page.locator('#todo article').first().textContent()) ?? '', /dangerous server/);
  await page.screenshot({ path: SCREENSHOT_EN, fullPage: true });
  await page.click('a.lang-switch');
  await page.waitForURL(/lang=ja/);
  t.is(await page.getAttribute('html', 'lang'), 'ja');
  await page.close();
  t.deepEqual(t.context.problems, []);
});

test.serial('a hostile hostname or query is shown as text and no script runs', async (t) => {
  const page = await freshPage(t);
  await page.goto(t.context.base + '/?lang=%3Cscript%3Ealert(2)%3C/script%3E&login=%3Cimg%20src=x%20onerror=alert(3)%3E');
  const hostile = page.locator('#todo article', { hasText: HOSTILE });
  t.is(await hostile.count(), 1, 'the hostname is visible as literal text');
  t.is(await page.locator('main img').count(), 0);
  await page.click('details.tech summary');
  t.regex((await page.textContent('details.tech')) ?? '', /onerror=alert\(1\)/);
  await page.goto(t.context.base + '/nowhere/%3Cscript%3Ealert(4)%3C/script%3E');
  t.is(await page.locator('script:not([src])').count(), 0);
  await page.close();
  t.deepEqual(t.context.dialogs, []);
  t.deepEqual(t.context.problems.filter((p) => !/404/.test(p)), []);
});

test.serial('logging in through the form works and logging out ends it', async (t) => {
  const page = await freshPage(t);
  await page.goto(t.context.base + '/');
  await page.fill('input[name=password]', 'wrong');
  await page.click('#login button[type=submit]');
  await page.waitForURL(/login=failed/);
  t.regex((await page.textContent('.login-failed')) ?? '', /パスワードが違います/);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('text=admin としてログインしています');
  const cookies = await t.context.browser.cookies(t.context.base);
  const session = cookies.find((c) => c.name === 'utm_session');
  t.truthy(session);
  t.true(session?.httpOnly);
  t.is(session?.sameSite, 'Strict');
  t.is(await page.evaluate('document.cookie'), '', 'no cookie is readable by script');
  await page.click('#login button[type=submit]');
  await page.waitForSelector('input[name=password]');
  await page.close();
  t.deepEqual(t.context.problems, []);
});

test.serial('the page updates itself through the static script (no inline JS needed)', async (t) => {
  const daemon = fakeDaemon({ refreshSeconds: 5 });
  const server = await startWebServer(createWebApp(daemon.deps), { host: '127.0.0.1', port: 0 });
  t.teardown(() => server.close());
  const page = await freshPage(t);
  t.teardown(() => page.close());
  await page.goto(`http://127.0.0.1:${server.port}/`);
  t.is((await page.textContent('.state-headline'))?.trim(), '確認が必要です');
  // Everything is dealt with: no alerts, every condition fine. The state card follows in place.
  daemon.alerts.splice(0);
  daemon.overview.conditions = daemon.overview.conditions.map((c) => ({ ...c, ok: true }));
  await page.waitForSelector('text=安全です', { timeout: 20_000 });
  t.deepEqual(t.context.problems, []);
});
