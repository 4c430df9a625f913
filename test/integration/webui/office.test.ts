// The office page's own routes over HTTP: POST /actions/acknowledge (login + CSRF by
// construction, body validated, unknown ids refused, a group card's list taken whole) and
// GET /report/YYYY-MM (validated month; nothing for months the box knows nothing of).
import test, { type ExecutionContext } from 'ava';
import { createWebApp } from '../../../webui/src/app.js';
import type { OfficePort } from '../../../webui/src/deps/deps.js';
import type { Ack } from '../../../webui/src/office/model.js';
import { startWebServer } from '../../../webui/src/server.js';
import { makeDailyStats } from '../../helpers/office.js';
import { CookieJar, csrfFromHtml, fakeDaemon, PASSWORD } from '../../helpers/webui.js';

function port(marks: Ack[]): OfficePort {
  const stats = makeDailyStats(25);
  return {
    acks: () => marks,
    acknowledge: (a) => {
      if (a.id > 1000) return false;
      marks.push(a);
      return true;
    },
    dailyStats: (from, to) => stats.filter((s) => s.day >= from && s.day <= to),
    dayOf: (ms) => new Date(ms).toISOString().slice(0, 10),
    report: (month) => (month === '2026-11' ? { month, complete: false, source: 'live', computedAt: 0, days: stats, blockedByDevice: [], incidents: [], devices: { new: [], eol: [], quarantined: [] } } : null),
  };
}

async function start(t: ExecutionContext) {
  const marks: Ack[] = [];
  const daemon = fakeDaemon({ office: port(marks) });
  const server = await startWebServer(createWebApp(daemon.deps), { host: '127.0.0.1', port: 0 });
  t.teardown(() => server.close());
  const base = `http://127.0.0.1:${server.port}`;
  const jar = new CookieJar();
  const req = async (path: string, form?: Record<string, string>) => {
    const res = await fetch(base + path, form ? { method: 'POST', redirect: 'manual', body: new URLSearchParams(form), headers: { cookie: jar.header() } } : { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.take(res);
    return res;
  };
  const csrf = async () => csrfFromHtml(await (await req('/')).text());
  return { marks, req, csrf, login: async () => req('/login', { _csrf: await csrf(), password: PASSWORD }) };
}

test('対応済み needs a login; with one it is stored with who, the note, and the result shown', async (t) => {
  const s = await start(t);
  t.is((await s.req('/actions/acknowledge', { _csrf: await s.csrf(), target: 'alert', id: '1' })).status, 401);
  t.deepEqual(s.marks, []);
  t.is((await s.login()).status, 303);
  const res = await s.req('/actions/acknowledge', { _csrf: await s.csrf(), target: 'incident', id: '2', note: '相談窓口に電話しました' });
  t.is(res.status, 303);
  t.is(res.headers.get('location'), '/?done=ack#result');
  t.is(s.marks.length, 1);
  t.like(s.marks[0], { target: 'incident', id: 2, note: '相談窓口に電話しました' });
  t.regex(s.marks[0]?.actor ?? '', /^admin@/);
  t.regex(await (await s.req('/?done=ack')).text(), /対応済みにしました/);
});

test('a group card marks every alert it lists; bad bodies and unknown ids are refused', async (t) => {
  const s = await start(t);
  await s.login();
  t.is((await s.req('/actions/acknowledge', { _csrf: await s.csrf(), target: 'alert', id: '4,1' })).status, 303);
  t.deepEqual(s.marks.map((m) => m.id), [4, 1]);
  const bads: Array<Record<string, string>> = [{ target: 'device', id: '1' }, { target: 'alert', id: 'x' }, { target: 'alert', id: '1', note: 'x'.repeat(501) }];
  for (const bad of bads) {
    t.is((await s.req('/actions/acknowledge', { _csrf: await s.csrf(), ...bad })).status, 400, JSON.stringify(bad).slice(0, 40));
  }
  t.is((await s.req('/actions/acknowledge', { _csrf: await s.csrf(), target: 'alert', id: '5000' })).status, 404);
  t.is((await s.req('/actions/acknowledge', { _csrf: 'nope', target: 'alert', id: '1' })).status, 403);
  t.is(s.marks.length, 2);
});

test('the monthly report answers for a known month only, and the page links to it', async (t) => {
  const s = await start(t);
  const page = await (await s.req('/')).text();
  t.true(page.includes('href="/report/2026-11"'));
  const res = await s.req('/report/2026-11');
  t.is(res.status, 200);
  const html = await res.text();
  t.true(html.includes('2026年11月の見守り報告書'));
  t.true(html.includes('/static/report.css'));
  t.false(/<script>|style="| on[a-z]+="/i.test(html), 'no inline script or style');
  for (const bad of ['/report/2026-10', '/report/2026-13', '/report/..%2f..%2fetc', '/report/<b>']) t.is((await s.req(bad)).status, 404, bad);
  t.is((await s.req('/report')).headers.get('location'), '/report/2026-11');
});
