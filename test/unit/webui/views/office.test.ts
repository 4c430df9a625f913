// The office page as rendered (issue 12): one h1 and headings, the four questions in order,
// the question about a new device with 承認 / 心当たりがない behind a confirm step, 対応済み with
// a note, the week's chart inline, device-given names neutralised and set apart from labels.
import test from 'ava';
import { buildCatalog } from '../../../../webui/src/i18n/alerts/index.js';
import { buildOfficeModel } from '../../../../webui/src/office/model.js';
import { weekFacts } from '../../../../webui/src/office/week.js';
import { deviceGivenText, deviceNameHtml } from '../../../../webui/src/views/deviceName.js';
import { renderPage, type PageModel } from '../../../../webui/src/views/page.js';
import { makeDailyStats, makeOffice, PHONE_MAC } from '../../../helpers/office.js';
import { fakeDaemon, T0 } from '../../../helpers/webui.js';

function page(over: Partial<PageModel> = {}, user: string | null = null): string {
  const d = fakeDaemon();
  const o = makeOffice(20);
  const stats = makeDailyStats(7);
  const office = buildOfficeModel({ now: T0, alerts: o.alerts, incidents: o.incidents, devices: o.devices, acks: [], conditions: [] });
  return renderPage({
    lang: 'ja', now: T0, timeZone: 'Asia/Tokyo', overview: d.overview, desk: d.deps.desk, office, catalog: buildCatalog(),
    devices: { devices: o.devices, learning: { active: false, until: 0 } }, week: weekFacts(stats, stats.at(-1)?.day ?? ''), reportMonth: '2026-11', done: null,
    session: { sid: user ? 's' : null, user, csrf: 'tok', clientIp: '127.0.0.1' }, loginFailed: false, sections: [], refreshSeconds: 30, ...over,
  }).toString();
}

test('one h1; the state, the desk, what to do, the week, then the history, in that order', (t) => {
  const p = page();
  t.is(p.match(/<h1[ >]/g)?.length, 1);
  const order = ['id="state"', 'class="desk"', 'id="todo"', 'id="week"', 'id="history"', 'id="devices"', 'id="login"'].map((s) => p.indexOf(s));
  t.true(order.every((i) => i > 0));
  t.deepEqual([...order].sort((a, b) => a - b), order);
  t.regex(p, /<svg class="chart"[^>]*role="img"/);
  t.false(/<(img|link)[^>]+https?:/.test(p), 'no external assets');
});

test('a new device is asked about, with approve and quarantine behind a confirmation step', (t) => {
  const p = page({}, 'admin');
  const card = p.slice(p.indexOf(`data-mac="${PHONE_MAC}"`), p.indexOf('</article>', p.indexOf(`data-mac="${PHONE_MAC}"`)));
  t.true(card.includes('この機器に心当たりはありますか？'));
  t.regex(card, /<details class="act act-approve"><summary>承認する（心当たりがある）<\/summary>\s*<form method="post" action="\/actions\/devices\/approve">/);
  t.regex(card, /<details class="act act-reject"><summary>心当たりがない<\/summary>\s*<form method="post" action="\/actions\/devices\/quarantine">/);
  t.false(card.includes('LANケーブルを抜'), 'no instruction to unplug anything');
});

test('open cards can be marked as handled with a note; without login they point to the login', (t) => {
  const p = page({}, 'admin');
  t.regex(p, /action="\/actions\/acknowledge"><input type="hidden" name="_csrf" value="tok"><input type="hidden" name="target" value="incident"><input type="hidden" name="id" value="2">/);
  t.true(p.includes('<textarea name="note"'));
  const anon = page();
  t.false(anon.includes('/actions/'));
  t.true(anon.includes('href="#login"'));
});

test('the result of an action is shown at the top as a status', (t) => {
  t.regex(page({ done: 'ack' }), /<p class="done" id="result" role="status"[^>]*>.*対応済みにしました/);
  t.regex(page({ done: 'quarantine', lang: 'en' }), /Quarantined\./);
});

test('device-given names: bidi overrides and control bytes are visible escapes, apart from staff labels', (t) => {
  t.is(deviceGivenText('invoice\u202Efdp.exe'), 'invoice\\u{202e}fdp.exe');
  t.is(deviceGivenText('a\u001b[31m\u0007b'), 'a\\x1b[31m\\x07b');
  const spoof = deviceNameHtml({ label: null, hostname: '経理のパソコン（承認済み）', deviceType: 'pc' }, 'ja').toString();
  t.true(spoof.includes('機器が名乗った名前'));
  t.false(spoof.includes('職員がつけた名前'));
  const labelled = deviceNameHtml({ label: '経理のパソコン', hostname: 'DESKTOP-1', deviceType: 'pc' }, 'ja').toString();
  t.true(labelled.indexOf('職員がつけた名前') < labelled.indexOf('機器が名乗った名前'));
  const p = page();
  t.false(/[\u202a-\u202e\u2066-\u2069\u0000-\u0008\u001b]/u.test(p), 'no raw bidi or control character reaches the page');
});

test('the evidence of an incident is for the logged-in technician only, and escaped', (t) => {
  t.false(page().includes('incident-evidence'));
  const tech = page({}, 'admin');
  t.true(tech.includes('incident-evidence'));
  t.true(tech.includes('beacon, upload'));
  t.false(tech.includes('<img src=x'));
});

test('the history names each staff decision and says when a quarantine notice is over', (t) => {
  const o = makeOffice(20);
  const released = o.devices.find((d) => d.status === 'new' && d.mac !== PHONE_MAC) ?? o.devices[0];
  if (!released) return t.fail('a device');
  const notice = { ...(o.alerts[0] ?? t.fail('an alert')), id: 900, kind: 'device_quarantined', severity: 'info' as const, action: 'quarantined' as const, incidentId: null, device: { mac: released.mac }, params: { mac: released.mac, actor: 'admin' } };
  const audit = [
    { at: T0 - 2000, actor: 'admin@192.168.1.5', action: 'quarantine' as const, mac: released.mac, from: 'new' as const, to: 'quarantined' as const },
    { at: T0 - 1000, actor: 'admin@192.168.1.5', action: 'release' as const, mac: released.mac, from: 'quarantined' as const, to: 'new' as const },
  ];
  for (const [lang, words] of [['ja', ['admin さんが隔離しました', 'admin さんが隔離を解除しました', 'その後、隔離を解除しました']], ['en', ['Quarantined by admin', 'Released from quarantine by admin', 'since released from quarantine']]] as const) {
    const office = buildOfficeModel({ now: T0, alerts: [...o.alerts, notice], incidents: o.incidents, devices: o.devices, acks: [], conditions: [], audit });
    const p = page({ office, lang });
    const history = p.slice(p.indexOf('id="history"'), p.indexOf('</section>', p.indexOf('id="history"')));
    for (const w of words) t.true(history.includes(w), `${lang}: ${w}`);
    t.false(p.slice(p.indexOf('id="todo"'), p.indexOf('id="history"')).includes('data-alert-id="900"'), `${lang}: the released device's notice is not in what to do`);
  }
});

test('a device with neither name nor kind is named once on its question card', (t) => {
  const o = makeOffice(20);
  const nameless = o.devices.map((d) => (d.status === 'new' ? { ...d, label: null, hostname: null, deviceType: 'unknown' as const, vendor: null, osName: '' } : d));
  const office = buildOfficeModel({ now: T0, alerts: o.alerts, incidents: o.incidents, devices: nameless, acks: [], conditions: [] });
  for (const [lang, kind] of [['ja', '種類の分からない機器'], ['en', 'unknown kind of device']] as const) {
    const p = page({ office, lang, devices: { devices: nameless, learning: { active: false, until: 0 } } });
    const lines = [...p.matchAll(/<p class="question-device">([\s\S]*?)<\/p>/g)].map((m) => (m[1] ?? '').replace(/<[^>]+>/g, ''));
    t.true(lines.length > 0, `${lang}: question cards`);
    for (const l of lines) t.is(l.split(kind).length - 1, 1, `${lang}: named once: ${l}`);
  }
  const named = buildOfficeModel({ now: T0, alerts: o.alerts, incidents: o.incidents, devices: o.devices, acks: [], conditions: [] });
  const p = page({ office: named });
  t.regex(p, /<p class="question-device"><span class="device-names">[\s\S]*?<\/span> <span class="device-kind">/, 'a named device still shows its kind beside its name');
});
