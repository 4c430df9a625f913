import test from 'ava';
import { buildCatalog } from '../../../../webui/src/i18n/alerts/index.js';
import { renderPage, type PageModel } from '../../../../webui/src/views/page.js';
import { upstreamSection, upstreamSilentBlock } from '../../../../webui/src/views/upstream.js';
import { fakeDaemon, HOSTILE, T0 } from '../../../helpers/webui.js';

const MIN = 60_000;

function model(over: Partial<PageModel> = {}): PageModel {
  const d = fakeDaemon();
  return {
    lang: 'ja', now: T0, timeZone: 'Asia/Tokyo', overview: d.overview, desk: { name: '〇〇お助け隊 相談窓口', phone: '0120-000-000' }, office: { state: 'danger', open: [], history: [] }, catalog: buildCatalog(), devices: null, week: null, reportMonth: null, done: null,
    session: { sid: null, user: null, csrf: 'tok', clientIp: '127.0.0.1' }, loginFailed: false, sections: [], refreshSeconds: 30, ...over,
  };
}

test('the office page says in plain words that messages do not reach the centre, and whom to call', (t) => {
  const d = fakeDaemon();
  const page = renderPage(model({ overview: { ...d.overview, upstreamSilent: { since: T0 - 17 * MIN, waiting: 9 } } })).toString();
  t.true(page.includes('監視センターに連絡が届いていません。相談窓口に電話してください'));
  t.true(page.includes('17分前から'));
  t.true(page.includes('届いていないお知らせ: 9件'));
  t.true(page.includes('href="tel:0120000000"'));
  t.true(page.indexOf('upstream-silent') < page.indexOf('class="desk"'), 'right under the state, above everything else');
  const en = renderPage(model({ lang: 'en', overview: { ...d.overview, upstreamSilent: { since: T0 - 17 * MIN, waiting: 9 } } })).toString();
  t.true(en.includes('Messages are not reaching the monitoring centre. Please call the help desk.'));
});

test('no banner while the centre hears the box', (t) => {
  const page = renderPage(model()).toString();
  t.false(page.includes('upstream-silent'));
  t.is(upstreamSilentBlock('ja', undefined, null, T0), '');
});

test('technician section: the same facts as utmctl upstream status, hostile text escaped', (t) => {
  const html = upstreamSection({
    status: {
      transport: 'tls', peer: HOSTILE, peerCertSha256: 'ab'.repeat(32), connected: false, connectedSince: T0 - 20 * MIN,
      lastConfirmedSeq: 1234, lastConfirmedAt: T0 - 20 * MIN, queueDepth: 9, queueBytes: 0, oldestWaitingAt: T0 - 17 * MIN,
      overflowLost: { stats: 3 }, lastError: HOSTILE, nextSeq: 1244,
    },
    silence: { state: 'silent' }, heartbeat: { intervalS: 300, lastAt: null },
  }, 'ja', 'Asia/Tokyo', T0).toString();
  t.false(html.includes('<img'));
  t.true(html.includes('&lt;img'));
  t.true(html.includes(`${'AB:'.repeat(31)}AB`));
  t.true(html.includes('届いていません'));
  t.true(html.includes('<dd>1234 / '));
  t.true(html.includes('stats 3'));
  t.true(html.includes(' open>'), 'opened by default when something is wrong');
  const none = upstreamSection({ status: null, silence: { state: 'none' }, heartbeat: { intervalS: 300, lastAt: null } }, 'en', 'Asia/Tokyo', T0).toString();
  t.true(none.includes('no collector configured'));
  t.false(none.includes('Transport'));
});
