import test from 'ava';
import { CATEGORIES } from '../../../../../firmware/src/config/feedCatalog.js';
import { blocklistAlerts, categoryPhrase } from '../../../../../webui/src/i18n/alerts/blocklist.js';
import { LANGS } from '../../../../../webui/src/i18n/types.js';

const JARGON = /\b(C2|C&C|CIDR|NFLOG|nft|sha256|ETag|HTTP|DNS|IP)\b/i;

test('every category has a plain phrase in both languages', (t) => {
  for (const c of CATEGORIES) {
    for (const lang of LANGS) {
      const s = categoryPhrase[c][lang];
      t.true(s.length > 5, `${c}/${lang}`);
      t.false(JARGON.test(s), `${c}/${lang}: ${s}`);
    }
  }
  t.is(categoryPhrase.c2.ja, 'ウイルスに感染したパソコンが連絡を取る、犯罪者のサーバー');
});

test('feed_fault names the feed, the reason and what was kept', (t) => {
  const params = { feedId: 'feodo-c2', feedNameJa: 'Feodo 一覧', feedNameEn: 'Feodo list', reason: 'shrunk', keptEntries: 1234 };
  const ja = blocklistAlerts.feed_fault!.ja(params);
  t.true(ja.title.includes('Feodo 一覧'));
  t.true(ja.what.includes('急に大きく減って'));
  t.true(ja.did.includes('1,234 件'));
  const en = blocklistAlerts.feed_fault!.en(params);
  t.true(en.what.includes('suddenly shrunk'));
  t.true(en.did.includes('1,234 entries'));
});

test('feed_fault survives missing or hostile params without leaking "undefined"', (t) => {
  for (const lang of LANGS) {
    for (const params of [{}, { reason: '__proto__', keptEntries: 'lots' }, { reason: 'toString', feedId: 'x' }]) {
      const out = blocklistAlerts.feed_fault![lang](params);
      for (const [k, v] of Object.entries(out)) {
        t.false(/undefined|NaN|\[object/.test(v), `${lang}/${k}: ${v}`);
        t.false(JARGON.test(v), `${lang}/${k}: ${v}`);
      }
    }
  }
});
