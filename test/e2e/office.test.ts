// The office page and the monthly report in a real browser (Debian chromium via playwright-core),
// against a busy office (test/helpers/office.ts) and a real SQLite store behind the daemon's own
// office port: approve, quarantine, 対応済み, switching language, refreshing in place with pause,
// and printing the monthly report to PDF (A4, at most two pages, figures equal to the store).
// Screenshots and the PDF are kept under test/artifacts/ (gitignored).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import anyTest, { type TestFn } from 'ava';
import { chromium, type Browser, type Page } from 'playwright-core';
import { officePort } from '../../firmware/src/app/officePort.js';
import { BLOCKED_DEVICE } from '../../firmware/src/app/reporting.js';
import { AcksRepo } from '../../firmware/src/store/acksRepo.js';
import { AlertsRepo } from '../../firmware/src/alerts/alertsRepo.js';
import { openDb } from '../../firmware/src/store/db.js';
import { everyMigration } from '../helpers/schema.js';
import { IncidentsRepo } from '../../firmware/src/alerts/incidentsRepo.js';
import { ReportingRepo } from '../../firmware/src/upstream/reportingRepo.js';
import type { Db } from '../../firmware/src/store/db.js';
import { createWebApp } from '../../webui/src/app.js';
import { featureExtensions } from '../../webui/src/features.js';
import { buildCatalog } from '../../webui/src/i18n/alerts/index.js';
import { startWebServer, type WebServer } from '../../webui/src/server.js';
import { INFECTED_MAC, makeDailyStats, makeOffice, PHONE_MAC, UNKNOWN_MAC, type Office } from '../helpers/office.js';
import { fakeDaemon, PASSWORD, type FakeDaemon } from '../helpers/webui.js';
import { PollTimeoutError, waitFor } from '../lab/poll.js';
import { toolMissing } from '../helpers/tools.js';

export const ARTIFACTS = join(import.meta.dirname, '../artifacts/e2e');

interface Ctx { dir: string; db: Db; server: WebServer; base: string; browser: Browser; office: Office; daemon: FakeDaemon; problems: string[] }
const test = anyTest as TestFn<Ctx>;

test.before(async (t) => {
  await mkdir(ARTIFACTS, { recursive: true });
  const dir = await mkdtemp(join(tmpdir(), 'otasuke-office-'));
  const db = openDb(join(dir, 'utm.db'), everyMigration);
  const reporting = new ReportingRepo(db);
  // The kept daily statistics of November up to T0's day, and the per-device counters beside them.
  for (const s of makeDailyStats(25)) {
    reporting.putStats(s, s.to, null);
    const half = Math.floor(s.blocked.total / 2);
    reporting.addCounters(s.day, { [`${BLOCKED_DEVICE}3c:22:fb:00:00:08`]: half, [`${BLOCKED_DEVICE}3c:22:fb:00:00:21`]: s.blocked.total - half });
  }
  // One incident of the month in the store, marked as handled with a note: the report says so.
  const reportInc = new IncidentsRepo(db).insert({ deviceKey: INFECTED_MAC, device: { mac: INFECTED_MAC, ip: '192.168.1.13' }, openedAt: Date.UTC(2026, 10, 12, 1), lastAt: Date.UTC(2026, 10, 12, 2), kinds: ['beacon', 'upload'], stages: ['control', 'action'], findings: 2, baseSeverity: 'danger', severity: 'danger' });
  new AcksRepo(db).put({ target: 'incident', id: reportInc.id, at: Date.UTC(2026, 10, 12, 3), actor: 'admin@192.168.1.5', note: 'ケーブルを抜いて相談窓口へ連絡' });
  const office = makeOffice(50);
  const daemon = fakeDaemon({ refreshSeconds: 5 });
  daemon.alerts.splice(0, daemon.alerts.length, ...office.alerts);
  const now = (): number => daemon.deps.now();
  const port = officePort({ db, alerts: new AlertsRepo(db), reporting, now });
  // The fixture's alerts live in the fake daemon, not in this store: marks are stored as given.
  const acks = new AcksRepo(db);
  daemon.deps.office = { ...port, acknowledge: (a) => { acks.put(a); return true; } };
  const ext = featureExtensions([{ devices: office.devicesView, incidents: office.incidentsView }], { catalog: buildCatalog(), desk: daemon.deps.desk });
  const server = await startWebServer(createWebApp(daemon.deps, ext), { host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.context = { dir, db, server, base: `http://127.0.0.1:${server.port}`, browser, office, daemon, problems: [] };
});

test.after.always(async (t) => {
  await t.context.browser?.close();
  await t.context.server?.close();
  t.context.db?.close();
  if (t.context.dir) await rm(t.context.dir, { recursive: true, force: true });
});

async function open(t: { context: Ctx }, o: { phone?: boolean; path?: string } = {}): Promise<Page> {
  const ctx = await t.context.browser.newContext({ viewport: o.phone ? { width: 390, height: 844 } : { width: 1280, height: 900 }, locale: 'ja-JP' });
  const page = await ctx.newPage();
  t.context.problems = [];
  page.on('pageerror', (e) => t.context.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') t.context.problems.push(`console: ${m.text()}`); });
  page.on('dialog', (d) => { t.context.problems.push(`dialog: ${d.message()}`); void d.dismiss(); });
  await page.goto(t.context.base + (o.path ?? '/'));
  return page;
}

async function login(page: Page): Promise<void> {
  await page.fill('input[name=password]', PASSWORD);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('text=admin としてログインしています');
}

const shot = (page: Page, name: string): Promise<Buffer> => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

test.serial('on a phone the first screen answers: is it safe, whom to call, what to do', async (t) => {
  const page = await open(t, { phone: true });
  t.is(await page.locator('h1').count(), 1);
  t.is((await page.textContent('.state-headline'))?.trim(), '危険です');
  const phone = page.locator('.desk-phone a');
  t.is(await phone.getAttribute('href'), 'tel:0660001234');
  const box = await phone.boundingBox();
  t.true((box?.height ?? 0) >= 30 && (box?.y ?? 1e9) < 844, 'the phone number is large and on the first screen');
  const first = page.locator('#todo article').first();
  t.is(await first.getAttribute('data-tone'), 'danger');
  t.is(await first.getAttribute('data-incident-id'), '2');
  const question = page.locator(`#todo article[data-mac="${PHONE_MAC}"]`);
  t.regex((await question.textContent()) ?? '', /この機器に心当たりはありますか？/);
  t.false(/LANケーブルを抜/.test((await question.textContent()) ?? ''));
  t.regex((await question.textContent()) ?? '', /\\u\{202e\}/, 'the bidi override is shown as an escape');
  await shot(page, 'office-ja-phone');
  await page.close();
  t.deepEqual(t.context.problems, []);
});

test.serial('approve and quarantine through the confirmation step; the page shows the result at once', async (t) => {
  const page = await open(t);
  await login(page);
  const q = page.locator(`article[data-mac="${PHONE_MAC}"]`);
  await q.locator('details.act-approve summary').click();
  await q.locator('details.act-approve button[type=submit]').click();
  await page.waitForURL(/done=approve/);
  t.regex((await page.textContent('#result')) ?? '', /承認しました/);
  t.is(await page.locator(`#todo article[data-mac="${PHONE_MAC}"]`).count(), 0);
  const u = page.locator(`article[data-mac="${UNKNOWN_MAC}"]`);
  await u.locator('details.act-reject summary').click();
  t.regex((await u.locator('details.act-reject').textContent()) ?? '', /インターネットにも社内のほかの機器にもつながらなくなります/);
  await u.locator('details.act-reject button[type=submit]').click();
  await page.waitForURL(/done=quarantine/);
  t.regex((await page.textContent('#result')) ?? '', /隔離しました/);
  t.deepEqual(t.context.office.decisions, [{ type: 'approve', mac: PHONE_MAC }, { type: 'quarantine', mac: UNKNOWN_MAC }]);
  t.regex((await page.textContent('#history')) ?? '', /承認済み[\s\S]*隔離中|隔離中[\s\S]*承認済み/);
  await shot(page, 'office-ja-after-decisions');
  await page.close();
  t.deepEqual(t.context.problems, []);
});

test.serial('対応済み with a note: the danger leaves the state card and the note is kept', async (t) => {
  const page = await open(t);
  await login(page);
  const card = page.locator('#todo article[data-incident-id="2"]');
  await card.locator('details.act-ack summary').click();
  await card.locator('textarea[name=note]').fill('相談窓口に電話して、パソコンを外しました');
  await card.locator('details.act-ack button[type=submit]').click();
  await page.waitForURL(/done=ack/);
  t.not((await page.textContent('.state-headline'))?.trim(), '危険です');
  t.is(await page.locator('#todo article[data-incident-id="2"]').count(), 0);
  t.regex((await page.textContent('#history')) ?? '', /相談窓口に電話して、パソコンを外しました/);
  const row = t.context.db.prepare('SELECT note, actor FROM acknowledgements WHERE target = ? AND target_id = ?').get('incident', 2) as { note: string; actor: string } | undefined;
  t.is(row?.note, '相談窓口に電話して、パソコンを外しました');
  t.regex(row?.actor ?? '', /^admin@/);
  await shot(page, 'office-ja-after-ack');
  await page.close();
  t.deepEqual(t.context.problems, []);
});

test.serial('switching language shows the English page, and it is remembered', async (t) => {
  const page = await open(t);
  await page.click('a.lang-switch');
  await page.waitForURL(/lang=en/);
  t.is(await page.getAttribute('html', 'lang'), 'en');
  t.is((await page.textContent('h1'))?.trim(), 'Office network watch');
  await page.goto(t.context.base + '/');
  t.regex((await page.textContent('#todo')) ?? '', /What to do now/);
  await shot(page, 'office-en-desktop');
  await page.close();
  t.deepEqual(t.context.problems, []);
});

test.serial('the page updates in place without losing focus, and the pause button stops it', async (t) => {
  const page = await open(t);
  const toggle = page.locator('#refresh-toggle');
  await toggle.waitFor({ state: 'visible' });
  await toggle.focus();
  const before = await page.getAttribute('body', 'data-refreshed-at');
  t.context.daemon.clock.now += 60_000;
  const refreshedSince = async (b: string | null): Promise<boolean> => (await page.getAttribute('body', 'data-refreshed-at')) !== b;
  await waitFor(() => refreshedSince(before), { timeoutMs: 20_000, intervalMs: 200, what: 'an in-place refresh' });
  t.is(await page.evaluate('document.activeElement && document.activeElement.id'), 'refresh-toggle', 'focus stays where it was');
  t.is(await page.evaluate('performance.getEntriesByType("navigation").length'), 1, 'no reload');
  await toggle.click();
  t.is(await toggle.getAttribute('aria-pressed'), 'true');
  const paused = await page.getAttribute('body', 'data-refreshed-at');
  // A paused page does not fetch: for two refresh periods nothing is patched (a negative
  // observation needs the time to pass; the poll fails the test as soon as a refresh happens).
  await t.throwsAsync(waitFor(() => refreshedSince(paused), { timeoutMs: 11_000, intervalMs: 250 }), { instanceOf: PollTimeoutError });
  await toggle.click();
  await waitFor(() => refreshedSince(paused), { timeoutMs: 20_000, intervalMs: 200, what: 'a refresh after resuming' });
  await page.close();
  t.deepEqual(t.context.problems, []);
});

test.serial('the monthly report prints to at most two A4 pages and its figures equal the store', async (t) => {
  const reporting = new ReportingRepo(t.context.db);
  const days = reporting.statsRange('2026-11-01', '2026-11-31');
  const blocked = days.reduce((n, s) => n + s.blocked.total, 0);
  const up = days.reduce((n, s) => n + s.upstream.upMs, 0) / days.reduce((n, s) => n + s.upstream.observedMs, 0);
  for (const lang of ['ja', 'en'] as const) {
    const page = await open(t, { path: `/report/2026-11?lang=${lang}` });
    t.is(await page.locator('h1').count(), 1);
    t.is(Number(await page.textContent('[data-figure="blocked-total"]')), blocked);
    t.regex((await page.textContent('[data-figure="summary"]')) ?? '', new RegExp(String(blocked)));
    t.is(await page.getAttribute('[data-figure="availability"]', 'data-value'), (Math.floor(up * 1000) / 10).toFixed(1));
    t.is(await page.locator('.recommendations li').count(), 3);
    const incidents = await page.locator('table.incidents tbody tr').allTextContents();
    t.is(incidents.length, 1, 'the one incident of the month in the store');
    t.regex(incidents[0] ?? '', /ケーブルを抜いて相談窓口へ連絡/);
    const byDevice = await page.locator('.by-device td.num').allTextContents();
    t.is(byDevice.map(Number).reduce((a, b) => a + b, 0), blocked, 'per-device figures add up to the total');
    await shot(page, `report-${lang}`);
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    const file = join(ARTIFACTS, `report-2026-11-${lang}.pdf`);
    await writeFile(file, pdf);
    const pages = (await readFile(file, 'latin1')).match(/\/Type\s*\/Page(?!s)/g)?.length ?? 0;
    t.true(pages >= 1 && pages <= 2, `${lang}: ${pages} pages`);
    // The figures as printed: read back from the PDF itself (poppler's pdftotext and pdfinfo).
    if (!existsSync('/usr/bin/pdftotext')) {
      toolMissing(t, 'pdftotext (poppler-utils)');
    } else {
      const info = execFileSync('/usr/bin/pdfinfo', [file], { encoding: 'utf8' });
      t.is(Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]), pages, `${lang}: pdfinfo agrees on the page count`);
      const printed = execFileSync('/usr/bin/pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      const figure = (n: string): RegExp => new RegExp(`(?<![\\d.,])${n.replace('.', '\\.')}(?![\\d,]|\\.\\d)`);
      t.regex(printed, figure(String(blocked)), `${lang}: the PDF prints the blocked total ${blocked}`);
      t.regex(printed, figure((Math.floor(up * 1000) / 10).toFixed(1)), `${lang}: the PDF prints the availability`);
    }
    await page.close();
  }
  t.deepEqual(t.context.problems, []);
});

test.serial('device-given names never reach the page as raw controls or bidi overrides', async (t) => {
  const page = await open(t);
  const text = (await page.textContent('main')) ?? '';
  t.false(/[\u202a-\u202e\u2066-\u2069\u0000-\u0008\u001b]/u.test(text));
  await page.click('#devices summary');
  t.regex((await page.textContent(`#devices article[data-mac="${UNKNOWN_MAC}"]`)) ?? '', /機器が名乗った名前/);
  t.regex((await page.textContent(`#devices article[data-mac="3c:22:fb:00:00:05"]`)) ?? '', /職員がつけた名前/);
  t.is(await page.locator(`#devices article[data-mac="${INFECTED_MAC}"]`).count(), 1);
  await shot(page, 'office-ja-devices');
  await page.close();
  t.deepEqual(t.context.problems, []);
});
