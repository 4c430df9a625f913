// Login in a real browser (Debian chromium through playwright-core) over HTTPS with the box's
// own certificate, trusted by its public-key pin (the fingerprint utmctl and the technician
// view show): the plain page has no form and links to the secure one; the technician view
// opens after login. Screenshots are kept as artefacts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import anyTest, { type TestFn } from 'ava';
import { chromium, type BrowserContext } from 'playwright-core';
import { createWebApp } from '../../webui/src/app.js';
import { startWebServer, type WebServer } from '../../webui/src/server.js';
import { loadBoxCertificate, type BoxCertificate } from '../../firmware/src/web/certificate.js';
import { fakeDaemon, PASSWORD } from '../helpers/webui.js';
import { send } from '../helpers/pinned.js';

interface Ctx { servers: WebServer[]; http: string; https: string; cert: BoxCertificate; browser: BrowserContext; dir: string; problems: string[] }
const test = anyTest as TestFn<Ctx>;

export const SCREENSHOT_SECURE = '/tmp/otasuke-webui-secure-login.png';
export const SCREENSHOT_TECH = '/tmp/otasuke-webui-tech.png';

test.before(async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'otasuke-e2e-secure-'));
  const cert = await loadBoxCertificate({ stateDir: dir, now: Date.now(), addresses: ['127.0.0.1'], names: ['localhost'] });
  const daemon = fakeDaemon();
  const secure = { httpsPort: 0, fingerprint256: cert.fingerprint256 };
  const app = createWebApp({ ...daemon.deps, secure, technician: () => ({ system: [{ label: 'node', value: process.version }], certificate: [{ label: 'SHA-256 fingerprint', value: cert.fingerprint256 }], ports: [], ruleset: [], feeds: [], sensors: [], upstream: [] }) });
  const plain = await startWebServer(app, { host: '127.0.0.1', port: 0 });
  const tls = await startWebServer(app, { host: '127.0.0.1', port: 0, tls: { cert: cert.certPem, key: cert.keyPem } });
  secure.httpsPort = tls.port;
  t.context = { servers: [plain, tls], http: `http://127.0.0.1:${plain.port}`, https: `https://127.0.0.1:${tls.port}`, cert, dir, problems: [] } as unknown as Ctx;
  t.context.browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: '/usr/bin/chromium',
    // Trust exactly this box's key (no CA, no blanket ignore of certificate errors).
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--ignore-certificate-errors-spki-list=${cert.spkiSha256}`],
    viewport: { width: 1000, height: 900 },
    locale: 'ja-JP',
  });
});

test.after.always(async (t) => {
  await t.context.browser?.close();
  for (const s of t.context.servers ?? []) await s.close();
  if (t.context.dir) await rm(t.context.dir, { recursive: true, force: true });
});

test.serial('the certificate the page serves is the one whose fingerprint the box shows', async (t) => {
  const a = await send(`${t.context.https}/`, { fingerprint256: t.context.cert.fingerprint256 });
  t.is(a.status, 200);
  t.is(a.fingerprint256, t.context.cert.fingerprint256);
});

test.serial('from the plain page to the secure page, log in, open the technician view, log out', async (t) => {
  const page = await t.context.browser.newPage();
  page.on('pageerror', (e) => t.context.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') t.context.problems.push(`console: ${m.text()}`); });
  await page.goto(`${t.context.http}/`);
  t.is(await page.locator('input[type=password]').count(), 0, 'no password field over plain HTTP');
  t.regex((await page.textContent('.fingerprint')) ?? '', new RegExp(t.context.cert.fingerprint256));
  await page.click('a.secure-link');
  await page.waitForURL(`${t.context.https}/`);
  await page.fill('input[name=password]', PASSWORD);
  await page.screenshot({ path: SCREENSHOT_SECURE, fullPage: false });
  await page.click('#login button[type=submit]');
  await page.waitForSelector('text=admin としてログインしています');
  const session = (await t.context.browser.cookies(t.context.https)).find((c) => c.name === 'utm_session');
  t.true(session?.secure, 'the session cookie is Secure');
  t.true(session?.httpOnly);
  await page.click('a.tech-link');
  await page.waitForURL(`${t.context.https}/tech`);
  t.regex((await page.textContent('#tech-certificate')) ?? '', new RegExp(t.context.cert.fingerprint256));
  t.regex((await page.textContent('#tech-alerts')) ?? '', /utm-block-out/);
  await page.screenshot({ path: SCREENSHOT_TECH, fullPage: true });
  await page.goto(`${t.context.https}/`);
  await page.click('#login form[action="/logout"] button[type=submit]');
  await page.waitForSelector('input[name=password]');
  await page.close();
  t.deepEqual(t.context.problems, []);
});
