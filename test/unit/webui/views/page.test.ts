import test from 'ava';
import { buildCatalog } from '../../../../webui/src/i18n/alerts/index.js';
import { html } from '../../../../webui/src/html/html.js';
import { renderPage, type PageModel } from '../../../../webui/src/views/page.js';
import { fakeDaemon, HOSTILE, T0 } from '../../../helpers/webui.js';

function model(over: Partial<PageModel> = {}): PageModel {
  const d = fakeDaemon();
  return {
    lang: 'ja', now: T0, timeZone: 'Asia/Tokyo', overview: d.overview, desk: d.deps.desk, office: { state: 'danger', open: [], history: [] }, catalog: buildCatalog(), devices: null, week: null, reportMonth: null, done: null,
    session: { sid: null, user: null, csrf: 'tok', clientIp: '127.0.0.1' },
    loginFailed: false, sections: [], refreshSeconds: 30, ...over,
  };
}

test('each state is told in words and with an icon, not by colour alone', (t) => {
  const expected = { safe: ['安全です', '✓'], attention: ['確認が必要です', '!'], danger: ['危険です', '✕'] } as const;
  for (const [state, [words, icon]] of Object.entries(expected)) {
    const page = renderPage(model({ office: { state: state as 'safe', open: [], history: [] } })).toString();
    t.true(page.includes(`<strong class="state-headline">${words}</strong>`), state);
    t.true(page.includes(`aria-hidden="true">${icon}</span>`), state);
    t.true(page.includes(`class="state state-${state}"`), state);
  }
});

test('no desk: the page says so instead of showing an empty phone number', (t) => {
  const page = renderPage(model({ desk: null })).toString();
  t.true(page.includes('相談窓口の連絡先が設定されていません'));
  t.false(page.includes('href="tel:'));
});

test('a hostile desk or condition text is escaped', (t) => {
  const page = renderPage(model({ desk: { name: HOSTILE, phone: '"><script>x</script>', hours: HOSTILE } })).toString();
  t.false(page.includes('<img') || page.includes('<script>x'));
  t.true(page.includes('href="tel:"'));
});

test('extension sections are placed in the page; logged-in visitors see logout with their CSRF token', (t) => {
  const page = renderPage(model({
    sections: [html`<section class="devices">${HOSTILE}</section>`],
    session: { sid: 's', user: 'admin', csrf: 'abc', clientIp: '127.0.0.1' },
  })).toString();
  t.true(page.includes('<section class="devices">&lt;img'));
  t.true(page.includes('action="/logout"'));
  t.true(page.includes('name="_csrf" value="abc"'));
  t.false(page.includes('name="password"'));
});
