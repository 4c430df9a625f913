// What the office sees, in a real browser on an office PC of the lab (issue 12): Debian's
// chromium runs inside a LAN host's namespace (labBrowser.ts) and reaches the real compiled utmd
// over the lab's switch. Real traffic makes the incident (an office PC sends mail to 30 outside
// servers and tries a blocklisted address); the login is over HTTPS with the box's certificate
// trusted by its key and checked against the fingerprint `utmctl web cert` prints; approve,
// quarantine (the device's traffic really stops) and release, and 対応済み with a note, each
// through the page's confirmation step; ja ↔ en; the monthly report printed to PDF (≤ 2 pages,
// figures equal to the box's database). Screenshots and PDFs of every view are kept under
// test/artifacts/e2e-lab/ (gitignored).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import anyTest, { type TestFn } from 'ava';
import Database from 'better-sqlite3';
import type { BrowserContext, Page } from 'playwright-core';
import { hashPassword } from '../../firmware/src/auth/password.js';
import { BLOCKED_DEVICE } from '../../firmware/src/app/reporting.js';
import { monthSpan } from '../../firmware/src/app/monthlyReports.js';
import { IncidentsRepo } from '../../firmware/src/alerts/incidentsRepo.js';
import { ReportingRepo } from '../../firmware/src/upstream/reportingRepo.js';
import type { Device } from '../../firmware/src/devices/model.js';
import { createLab, type Lab, type LabHost } from '../lab/lab.js';
import { ping, startTcpListener, tcpProbe } from '../lab/services.js';
import { labProvisioning, startUtmd, type Utmd } from '../lab/utmd.js';
import { waitFor } from '../lab/poll.js';
import { fastConntrack, trafficConfig, waitIncident } from '../integration/traffic/helpers.js';
import { toolMissing } from '../helpers/tools.js';
import { launchLabBrowser, servedFingerprint256 } from './labBrowser.js';

/** Screenshots and PDFs of this test (test/artifacts/ is gitignored). */
export const LAB_ARTIFACTS = join(import.meta.dirname, '../artifacts/e2e-lab');
const PASSWORD = 'office-admin-password-1';
const DESK_PHONE = '0120-000-000';

interface Ctx {
  dir: string;
  lab: Lab;
  utmd: Utmd;
  browser: BrowserContext;
  page: Page;
  /** lan1: the infected PC; lan2: the office PC with the browser; lan3: a device nobody knows. */
  infected: LabHost;
  officePc: LabHost;
  stranger: LabHost;
  cert: { fingerprint256: string; spkiSha256: string };
  http: string;
  https: string;
  /** Found by the tests as they go (the before hook's context is copied into each test). */
  found: { incidentId: number; waiting: number };
  problems: string[];
}
const test = anyTest as TestFn<Ctx>;

async function devices(u: Utmd, scan = false): Promise<Device[]> {
  const r = await u.ctl(scan ? ['devices', 'scan', '--json'] : ['devices', '--json']);
  if (r.code !== 0) throw new Error(`utmctl devices failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { devices: Device[] }).devices;
}

const statusOf = async (u: Utmd, mac: string): Promise<string | undefined> => (await devices(u)).find((d) => d.mac === mac)?.status;

/** A web server on the lab's internet: what an office device reaches, or not. */
const web = (lab: Lab): { addr: string; port: number }[] => [{ addr: lab.internet.web.v4, port: 80 }];
const reach = async (h: LabHost, lab: Lab, timeoutMs = 2000): Promise<string | undefined> => (await tcpProbe(h.ns, web(lab), { timeoutMs }))[0]?.outcome;

test.before(async (t) => {
  // Only this run's views are kept.
  await rm(LAB_ARTIFACTS, { recursive: true, force: true });
  await mkdir(LAB_ARTIFACTS, { recursive: true });
  t.context = { problems: [], found: { incidentId: 0, waiting: 0 } } as unknown as Ctx;
  const lab = await createLab({ mode: 'bridge', lanHosts: 3 });
  t.context.lab = lab;
  // The browser's wrapper and fresh profile live in the lab's own directory, which goes with the
  // lab (and with cleanupStale's removal of a lab whose owner died).
  const dir = join(lab.dir, 'browser');
  await mkdir(dir);
  t.context.dir = dir;
  const [infected, officePc, stranger] = lab.hosts;
  if (!infected || !officePc || !stranger) throw new Error('the lab has three LAN hosts');
  Object.assign(t.context, { infected, officePc, stranger });
  await startTcpListener(lab, lab.ns.wan, [{ addr: '0.0.0.0', port: 25 }, ...web(lab), { addr: lab.internet.malware.v4, port: 443 }]);
  const provisioning = labProvisioning('box-office-lab', {
    desk: { name: 'テストお助け隊 相談窓口', phone: DESK_PHONE }, admin: { passwordHash: await hashPassword(PASSWORD) }, learningDays: 0,
  });
  const utmd = await startUtmd(lab, { config: trafficConfig(lab), provisioning });
  t.context.utmd = utmd;
  await fastConntrack(lab);
  const cert = JSON.parse((await utmd.ctl(['web', 'cert', '--json'])).stdout) as { fingerprint256: string; spkiSha256: string; httpsPort: number };
  t.context.cert = cert;
  t.context.http = `http://${lab.box.lanAddress.v4}`;
  t.context.https = `https://${lab.box.lanAddress.v4}${cert.httpsPort === 443 ? '' : `:${cert.httpsPort}`}`;
  // Every office device has been on the network: the box knows all three as new devices.
  for (const h of lab.hosts) t.is(await reach(h, lab), 'connected', `${h.name} reaches the web before anything happens`);
  await waitFor(async () => {
    const known = await devices(utmd, true);
    return lab.hosts.every((h) => known.some((d) => d.mac === h.mac && d.status === 'new'));
  }, { what: 'the three office devices in the inventory as new', timeoutMs: 30_000, intervalMs: 1000 });
  const browser = await launchLabBrowser({ ns: officePc.ns, dir, spkiSha256: cert.spkiSha256 });
  t.context.browser = browser;
  // Closed before the lab removes the namespace (which would kill it anyway).
  lab.onDestroy('close the office browser', () => browser.close());
  const page = await browser.newPage();
  // A shared machine under heavy load (the box's scrypt login, a 2-core host running other
  // labs): generous deadlines, never sleeps.
  page.setDefaultTimeout(90_000);
  page.setDefaultNavigationTimeout(90_000);
  page.on('pageerror', (e) => t.context.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') t.context.problems.push(`console: ${m.text()}`); });
  page.on('dialog', (d) => { t.context.problems.push(`dialog: ${d.message()}`); void d.dismiss(); });
  t.context.page = page;
});

test.after.always(async (t) => {
  await t.context.lab?.destroy();
});

const shot = (page: Page, name: string): Promise<Buffer> => page.screenshot({ path: join(LAB_ARTIFACTS, `${name}.png`), fullPage: true });
const headline = async (page: Page): Promise<string> => ((await page.textContent('.state-headline')) ?? '').trim();
/** Devices waiting for an answer, as the device list's heading counts them (0 when none). */
const waiting = async (page: Page): Promise<number> => Number(/確認待ち(\d+)台/.exec((await page.textContent('#devices-heading')) ?? '')?.[1] ?? 0);

test.serial('real traffic from an infected office PC opens a danger incident, shown first on the plain page', async (t) => {
  const { lab, utmd, infected, page } = t.context;
  const blocked = await tcpProbe(infected.ns, [{ addr: lab.internet.malware.v4, port: 443 }], { timeoutMs: 1500 });
  t.is(blocked[0]?.outcome, 'timeout', 'the blocklisted address is dropped');
  const servers = Array.from({ length: 30 }, (_, i) => ({ addr: `203.0.113.${i + 1}`, port: 25 }));
  const sent = await tcpProbe(infected.ns, servers, { timeoutMs: 3000, sendBytes: 2000 });
  t.true(sent.filter((r) => r.outcome === 'connected').length >= 25, 'the mail servers answered');
  const inc = await waitIncident(utmd, infected.v4, 'mail_abuse');
  t.is(inc.severity, 'danger');
  t.context.found.incidentId = inc.id;

  await page.goto(`${t.context.http}/`);
  t.is(await page.locator('input[type=password]').count(), 0, 'no password field over plain HTTP');
  t.regex((await page.textContent('.fingerprint')) ?? '', new RegExp(t.context.cert.fingerprint256), 'the plain page shows the fingerprint utmctl prints');
  const card = page.locator(`#todo article[data-incident-id="${inc.id}"]`);
  // The page refreshes itself in place; the incident is on it at once or at the next round.
  await card.waitFor({ timeout: 60_000 });
  t.is(await headline(page), '危険です');
  t.is(await page.locator('#todo article').first().getAttribute('data-incident-id'), String(inc.id), 'danger first');
  t.is(await card.getAttribute('data-tone'), 'danger');
  t.regex((await card.textContent()) ?? '', new RegExp(infected.v4.replaceAll('.', '\\.')));
  t.is(await page.getAttribute('.desk-phone a', 'href'), `tel:${DESK_PHONE.replaceAll('-', '')}`);
  await shot(page, '1-plain-danger-ja');
  t.deepEqual(t.context.problems.splice(0), [], 'no script error, console error or dialog on the page');
});

test.serial('the secure page: its certificate is the one utmctl shows, and the technician logs in over HTTPS', async (t) => {
  const { page, cert } = t.context;
  await page.click('a.secure-link');
  await page.waitForURL(`${t.context.https}/`);
  t.is(await servedFingerprint256(page), cert.fingerprint256, 'the served certificate is the one utmctl web cert shows');
  await page.fill('input[name=password]', PASSWORD);
  await shot(page, '2-secure-login-form-ja');
  await page.click('#login button[type=submit]');
  await page.waitForSelector('text=admin としてログインしています');
  const session = (await page.context().cookies(t.context.https)).find((c) => c.name === 'utm_session');
  t.true(session?.secure, 'the session cookie is Secure');
  // The technician view a site visit opens: the same fingerprint, and the incident's evidence.
  await page.click('a.tech-link');
  await page.waitForURL(`${t.context.https}/tech`);
  t.regex((await page.textContent('#tech-certificate')) ?? '', new RegExp(cert.fingerprint256));
  t.regex((await page.textContent('#tech-alerts')) ?? '', /mail_abuse/);
  await shot(page, '2-tech-view');
  // The office page as a phone shows it, logged in.
  await page.goto(`${t.context.https}/`);
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, '2-secure-office-phone-ja');
  await page.setViewportSize({ width: 1280, height: 900 });
  t.deepEqual(t.context.problems.splice(0), [], 'no script error, console error or dialog on the page');
});

test.serial('a browser that does not pin the box key refuses the secure page', async (t) => {
  // The same office PC, a fresh profile, no pin: the box's own certificate is not trusted, so
  // the trust above came from the pin and nothing else.
  const other = await launchLabBrowser({ ns: t.context.officePc.ns, dir: t.context.dir, profile: 'profile-unpinned' });
  try {
    const page = await other.newPage();
    const err = await t.throwsAsync(page.goto(`${t.context.https}/`));
    t.regex(err?.message ?? '', /ERR_CERT_(AUTHORITY_INVALID|COMMON_NAME_INVALID|INVALID)/);
  } finally {
    await other.close();
  }
});

test.serial('approve the office PC through the confirmation step: the question leaves and the result shows', async (t) => {
  const { page, officePc, utmd } = t.context;
  await page.goto(`${t.context.https}/`);
  // The office router and the box's other neighbours are new devices too: count relative to now.
  const before = await waiting(page);
  t.true(before >= 3, `the three office devices wait for an answer (${before})`);
  t.context.found.waiting = before;
  const q = page.locator(`#todo article.question[data-mac="${officePc.mac}"]`);
  await q.locator('details.act-approve summary').click();
  t.regex((await q.locator('details.act-approve').textContent()) ?? '', /承認します/);
  await q.locator('details.act-approve button[type=submit]').click();
  await page.waitForURL(/done=approve/);
  t.regex((await page.textContent('#result')) ?? '', /承認しました/);
  t.is(await page.locator(`#todo article[data-mac="${officePc.mac}"]`).count(), 0);
  t.is(await statusOf(utmd, officePc.mac), 'approved');
  t.is(await waiting(page), before - 1);
  t.is(await page.locator(`#history li[data-decision="approve"][data-mac="${officePc.mac}"]`).count(), 1, 'the decision is a line of the history');
  await shot(page, '3-after-approve-ja');
  t.deepEqual(t.context.problems.splice(0), [], 'no script error, console error or dialog on the page');
});

test.serial('quarantine from the page stops the device\'s traffic; releasing it lets it through again', async (t) => {
  const { page, stranger, utmd, lab } = t.context;
  t.is(await reach(stranger, lab), 'connected', 'before: the stranger reaches the internet');
  t.true(await ping(stranger.ns, lab.internet.web.v4), 'before: its ping is answered');
  const q = page.locator(`#todo article.question[data-mac="${stranger.mac}"]`);
  await q.locator('details.act-reject summary').click();
  t.regex((await q.locator('details.act-reject').textContent()) ?? '', /インターネットにも社内のほかの機器にもつながらなくなります/);
  await q.locator('details.act-reject button[type=submit]').click();
  await page.waitForURL(/done=quarantine/);
  t.regex((await page.textContent('#result')) ?? '', /隔離しました/);
  t.is(await statusOf(utmd, stranger.mac), 'quarantined');
  t.is(await reach(stranger, lab, 1500), 'timeout', 'quarantined: its connections are dropped');
  t.false(await ping(stranger.ns, lab.internet.web.v4, 1500), 'quarantined: its ping is dropped too');
  t.is(await waiting(page), t.context.found.waiting - 2);
  t.is(await page.locator(`#todo article[data-mac="${stranger.mac}"]`).count(), 0, 'the question is answered');
  await page.click('#devices > details > summary');
  const dev = page.locator(`#devices article[data-mac="${stranger.mac}"]`);
  t.regex((await dev.getAttribute('class')) ?? '', /device-quarantined/);
  t.regex((await dev.textContent()) ?? '', /隔離中/);
  t.is(await page.locator('#todo article[data-kind="device_quarantined"]').count(), 1, 'quarantined: the notice is open');
  await shot(page, '4-quarantined-ja');
  await dev.locator('details.device-release summary').click();
  await dev.locator('details.device-release button[type=submit]').click();
  await page.waitForURL(/done=release/);
  t.regex((await page.textContent('#result')) ?? '', /隔離を解除しました/);
  t.is(await statusOf(utmd, stranger.mac), 'new');
  t.is(await waiting(page), t.context.found.waiting - 1, 'released: it waits for an answer again');
  t.is(await page.locator('#todo article[data-kind="device_quarantined"]').count(), 0, 'released: the quarantine notice closed itself');
  t.regex((await page.textContent('#history')) ?? '', /その後、隔離を解除しました/, 'released: the history keeps the notice and says it is over');
  for (const d of ['quarantine', 'release']) t.is(await page.locator(`#history li[data-decision="${d}"][data-mac="${stranger.mac}"]`).count(), 1, `the ${d} is a line of the history`);
  t.is(await reach(stranger, lab), 'connected', 'released: it reaches the internet again');
  t.true(await ping(stranger.ns, lab.internet.web.v4), 'released: its ping is answered again');
  t.deepEqual(t.context.problems.splice(0), [], 'no script error, console error or dialog on the page');
});

test.serial('対応済み with a note: the danger leaves the state card and the note is kept in the box', async (t) => {
  const { page, utmd } = t.context;
  const id = t.context.found.incidentId;
  t.is(await headline(page), '危険です', 'still danger: only the incident is left to handle');
  const card = page.locator(`#todo article[data-incident-id="${id}"]`);
  await card.locator('details.act-ack summary').click();
  await card.locator('textarea[name=note]').fill('相談窓口に電話して、パソコンのケーブルを抜きました');
  await card.locator('details.act-ack button[type=submit]').click();
  await page.waitForURL(/done=ack/);
  t.regex((await page.textContent('#result')) ?? '', /対応済みにしました/);
  t.is(await headline(page), '確認が必要です', 'what is left are questions about devices and a notice');
  t.is(await page.locator(`#todo article[data-incident-id="${id}"]`).count(), 0);
  t.regex((await page.textContent(`#history [data-incident-id="${id}"]`)) ?? '', /相談窓口に電話して、パソコンのケーブルを抜きました/);
  const db = new Database(join(utmd.stateDir, 'utm.db'), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT note, actor FROM acknowledgements WHERE target = ? AND target_id = ?').get('incident', id) as { note: string; actor: string } | undefined;
    t.is(row?.note, '相談窓口に電話して、パソコンのケーブルを抜きました');
    t.regex(row?.actor ?? '', /^admin@/);
  } finally {
    db.close();
  }
  await shot(page, '5-after-ack-ja');
  t.deepEqual(t.context.problems.splice(0), [], 'no script error, console error or dialog on the page');
});

test.serial('switching language: English and back to Japanese', async (t) => {
  const { page } = t.context;
  await page.click('a.lang-switch');
  await page.waitForURL(/lang=en/);
  t.is(await page.getAttribute('html', 'lang'), 'en');
  t.is((await page.textContent('h1'))?.trim(), 'Office network watch');
  t.regex((await page.textContent('#todo')) ?? '', /What to do now/);
  t.regex((await page.textContent('#history')) ?? '', /相談窓口に電話して/, 'the staff note is shown as written');
  await shot(page, '6-after-ack-en');
  await page.click('a.lang-switch');
  await page.waitForURL(/lang=ja/);
  t.is(await page.getAttribute('html', 'lang'), 'ja');
  t.is((await page.textContent('h1'))?.trim(), '事務所のネットワークの見守り');
  t.deepEqual(t.context.problems.splice(0), [], 'no script error, console error or dialog on the page');
});

test.serial('the monthly report prints to at most two A4 pages and its figures equal the box\'s database', async (t) => {
  const { page, utmd, infected, stranger } = t.context;
  const now = new Date();
  const month = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
  const span = monthSpan(month);
  if (!span) throw new Error(`bad month ${month}`);
  const db = new Database(join(utmd.stateDir, 'utm.db'), { readonly: true, fileMustExist: true });
  t.teardown(() => db.close());
  const reporting = new ReportingRepo(db);
  // The box keeps its running counters in memory and writes them every minute.
  const counter = (): number | undefined => reporting.sumCounters(`${month}-01`, `${month}-31`, BLOCKED_DEVICE).find((r) => r.name === `${BLOCKED_DEVICE}${infected.mac}`)?.value;
  const infectedBlocked = await waitFor(counter, { what: 'the blocked attempts of the infected PC in the database', timeoutMs: 90_000, intervalMs: 1000 });
  const byDevice = new Map(reporting.sumCounters(`${month}-01`, `${month}-31`, BLOCKED_DEVICE).map((r) => [r.name.slice(BLOCKED_DEVICE.length), r.value]));
  // A month in progress counts today up to now: every figure from the same kept counters (the
  // days already sent upstream are those same counters), so the report adds up.
  const blockedTotal = reporting.sumCounters(`${month}-01`, `${month}-31`, 'blocked:').reduce((n, r) => n + r.value, 0);
  t.is(blockedTotal, [...byDevice.values()].reduce((n, v) => n + v, 0), 'the box\'s counters by category and by device agree');
  const incidents = new IncidentsRepo(db).overlapping(span.start, span.end);
  t.true(incidents.some((i) => i.id === t.context.found.incidentId));
  t.log(`${month}: ${incidents.length} incidents, blocked per device ${JSON.stringify([...byDevice])}, blocked total up to now ${blockedTotal}`);

  const incidentsRepo = new IncidentsRepo(db);
  for (const lang of ['ja', 'en'] as const) {
    // The lab's office keeps running while the report is read: an incident may open between the
    // database read and the page, so the page must show what the database held before or after it.
    const incidentsBefore = incidentsRepo.overlapping(span.start, span.end).length;
    await page.goto(`${t.context.https}/report/${month}?lang=${lang}`);
    const incidentsAfter = incidentsRepo.overlapping(span.start, span.end).length;
    t.is(await page.locator('h1').count(), 1);
    t.is(Number(await page.textContent('[data-figure="blocked-total"]')), blockedTotal);
    const rows = await page.locator('.by-device tr[data-mac]').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-mac') ?? '', Number(tr.querySelector('td.num')?.textContent)] as const));
    t.deepEqual(new Map(rows.map(([mac, n]) => [mac === '' ? 'none' : mac, n])), byDevice, `${lang}: blocked attempts per device equal the database`);
    const shownIncidents = await page.locator('table.incidents tbody tr').count();
    t.true(shownIncidents >= incidentsBefore && shownIncidents <= incidentsAfter, `${lang}: the month's incidents in the database (page ${shownIncidents}, database ${incidentsBefore} before the page, ${incidentsAfter} after)`);
    const incidentText = (await page.textContent('table.incidents')) ?? '';
    t.regex(incidentText, /相談窓口に電話して、パソコンのケーブルを抜きました/);
    t.notRegex(incidentText, /\b[a-z]+_[a-z_]+\b/, `${lang}: every kind of incident in words, no internal names`);
    const quarantined = await page.locator('.devices-report').textContent();
    t.true((quarantined ?? '').includes(stranger.mac), 'the device quarantined this month is listed');
    t.is(await page.locator('.recommendations li').count(), 3);
    await shot(page, `7-report-${lang}`);
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    await page.emulateMedia({ media: 'screen' });
    const file = join(LAB_ARTIFACTS, `report-${month}-${lang}.pdf`);
    await writeFile(file, pdf);
    const pages = (await readFile(file, 'latin1')).match(/\/Type\s*\/Page(?!s)/g)?.length ?? 0;
    t.true(pages >= 1 && pages <= 2, `${lang}: ${pages} pages`);
    t.log(`${lang}: the printed report has ${pages} page(s)`);
    if (!existsSync('/usr/bin/pdftotext')) {
      toolMissing(t, 'pdftotext (poppler-utils)');
      continue;
    }
    const info = execFileSync('/usr/bin/pdfinfo', [file], { encoding: 'utf8' });
    t.is(Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]), pages, `${lang}: pdfinfo agrees on the page count`);
    const printed = execFileSync('/usr/bin/pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    t.true(printed.includes(infected.mac), `${lang}: the PDF names the infected PC`);
    const line = printed.split('\n').find((l) => l.includes(infected.mac)) ?? '';
    t.regex(line, new RegExp(`(?<![\\d.,])${infectedBlocked}(?![\\d,]|\\.\\d)`), `${lang}: the PDF prints its ${infectedBlocked} blocked attempts`);
  }
  t.deepEqual(t.context.problems.splice(0), [], 'no script error, console error or dialog on the page');
});
