import test from 'ava';
import fc from 'fast-check';
import type { Alert } from '../../../../firmware/src/alerts/types.js';
import { buildCatalog } from '../../../../webui/src/i18n/alerts/index.js';
import { cleanParam, explainAlert, MAX_PARAM_CHARS, whomToCall } from '../../../../webui/src/i18n/explain.js';
import { LANGS } from '../../../../webui/src/i18n/types.js';
import { HOSTILE, makeAlert } from '../../../helpers/webui.js';

const catalog = buildCatalog();
const desk = { name: '大阪商工ネットお助け隊 相談窓口', phone: '06-6000-1234', hours: '平日 9:00〜18:00' };
const BAD_WORDS = /undefined|NaN|null|\[object|\{|\}|\$\{/;

function variants(kind: string): Alert[] {
  const out: Alert[] = [];
  for (const direction of ['outbound', 'inbound', 'lan', null] as const) {
    for (const action of ['blocked', 'watched', 'quarantined', 'none'] as const) {
      for (const count of [1, 7]) {
        for (const params of [{}, { category: 'malware' }, { category: 'unheard-of', deviceName: 'PC-01', queued: 3 }, { deviceLabel: '経理のパソコン', deviceType: 'pc' }]) {
          out.push(makeAlert({ kind, direction, action, count, params }));
          out.push(makeAlert({ kind, direction, action, count, params, device: {}, remote: null }));
        }
      }
    }
  }
  return out;
}

test('every kind in both languages yields five non-empty texts and a call line, with no placeholders leaking', (t) => {
  let checked = 0;
  for (const kind of [...Object.keys(catalog), 'unknown_kind']) {
    for (const lang of LANGS) {
      for (const alert of variants(kind)) {
        const text = explainAlert(alert, lang, catalog, desk);
        for (const field of ['title', 'what', 'why', 'did', 'todo', 'call'] as const) {
          t.true(text[field].trim().length > 0, `${kind}/${lang}/${field} empty`);
          t.notRegex(text[field], BAD_WORDS, `${kind}/${lang}/${field}: ${text[field]}`);
        }
        checked++;
      }
    }
  }
  t.true(checked > 500);
});

test('the brief example reads as intended in Japanese', (t) => {
  const text = explainAlert(makeAlert(), 'ja', catalog, desk);
  t.is(text.what, '社内の機器（192.168.1.23）が、ウイルスの配布などに使われている危険なサーバー（203.0.113.5）に接続しようとしたため、本装置が通信を止めました。');
  t.is(text.title, '危険なサーバーへの接続を止めました');
  t.is(text.call, 'すぐに大阪商工ネットお助け隊 相談窓口（電話 06-6000-1234、受付 平日 9:00〜18:00）にご連絡ください。');
  t.is(explainAlert(makeAlert(), 'en', catalog, desk).call, 'Call 大阪商工ネットお助け隊 相談窓口 (phone 06-6000-1234, 平日 9:00〜18:00) now.');
});

test('direction and action change the wording; repeats are counted from the alert, not stale params', (t) => {
  const inbound = explainAlert(makeAlert({ direction: 'inbound' }), 'ja', catalog, desk);
  t.regex(inbound.what, /^ウイルスの配布などに使われている危険なサーバー（203\.0\.113\.5）が、社内の機器（192\.168\.1\.23）に接続しようとした/);
  const watched = explainAlert(makeAlert({ action: 'watched' }), 'en', catalog, desk);
  t.regex(watched.did, /does not stop it/);
  const repeated = explainAlert(makeAlert({ count: 5, params: { count: 1, category: 'malware' } }), 'ja', catalog, desk);
  t.regex(repeated.what, /5回ありました/);
  const en = explainAlert(makeAlert({ count: 5 }), 'en', catalog, desk);
  t.regex(en.what, /^A device in your office \(192\.168\.1\.23\) tried to connect to a dangerous server used to spread viruses \(203\.0\.113\.5\), so this box stopped it\. This happened 5 times so far\.$/);
});

test('an unknown kind gets an honest fallback that still says what the box did and whom to call', (t) => {
  const text = explainAlert(makeAlert({ kind: 'no_such_kind', action: 'quarantined' }), 'ja', catalog, desk);
  t.is(text.title, '本装置からのお知らせ');
  t.regex(text.did, /隔離しました/);
  t.regex(text.call, /06-6000-1234/);
});

test('a template that throws or returns an empty field does not crash: fallback text is used', (t) => {
  const broken = {
    boom: { ja: () => { throw new Error('bug'); }, en: () => { throw new Error('bug'); } },
    empty: { ja: () => ({ title: '', what: 'x', why: 'x', did: 'x', todo: 'x' }), en: () => ({ title: '', what: 'x', why: 'x', did: 'x', todo: 'x' }) },
  };
  t.is(explainAlert(makeAlert({ kind: 'boom' }), 'en', broken, desk).title, 'A message from this box');
  t.is(explainAlert(makeAlert({ kind: 'empty' }), 'ja', broken, desk).title, '本装置からのお知らせ');
  // Kinds that collide with Object.prototype members are not templates.
  t.is(explainAlert(makeAlert({ kind: 'toString' }), 'ja', catalog, desk).title, '本装置からのお知らせ');
});

test('without a provisioned desk the call line still tells the reader whom to contact', (t) => {
  t.regex(whomToCall(null, 'ja'), /設置した会社/);
  t.regex(whomToCall(null, 'en'), /installed this box/);
  t.regex(whomToCall({ name: 'X', phone: '' }, 'en'), /No help desk/);
  t.is(whomToCall({ name: 'ｘ'.repeat(80), phone: '1' }, 'ja').length, 80 + '（電話 1）にご連絡ください。'.length, 'an 80-character desk name is not cut');
  t.is(whomToCall({ name: '', phone: '0120-000-000' }, 'ja', 'warning'), '相談窓口（電話 0120-000-000）にご連絡ください。');
});

test('hostile parameters are cleaned of control and bidi characters and cut to length', (t) => {
  const nasty = 'PC\u001b[31m\u202eevil\u0000' + 'x'.repeat(200);
  const text = explainAlert(makeAlert({ params: { deviceName: nasty } }), 'en', catalog, desk);
  t.false(/[\u0000-\u001f\u202e]/.test(text.what));
  t.true(text.what.includes('…'));
  t.true(Array.from(cleanParam(nasty)).length === MAX_PARAM_CHARS);
  // Hostile markup stays as text here; escaping is the output layer's job (tested in html/app).
  t.true(explainAlert(makeAlert({ params: { deviceName: HOSTILE } }), 'ja', catalog, desk).what.includes(HOSTILE));
});

test('property: any params, any kind, any direction never throw and never leak "undefined"', (t) => {
  const value = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(undefined));
  fc.assert(fc.property(
    fc.constantFrom(...Object.keys(catalog), 'x'),
    fc.constantFrom(...LANGS),
    fc.dictionary(fc.constantFrom('category', 'deviceName', 'deviceLabel', 'deviceType', 'count', 'queued', 'direction', 'action', 'remoteIp'), value),
    fc.constantFrom('outbound', 'inbound', 'lan', null),
    (kind, lang, params, direction) => {
      const text = explainAlert(makeAlert({ kind, params, direction: direction }), lang, catalog, null);
      return Object.values(text).every((v) => typeof v === 'string' && v.length > 0 && !/\bundefined\b|\bNaN\b/.test(v.replace(/“[^”]*”|「[^」]*」/g, '')));
    },
  ));
  t.pass();
});
