import test from 'ava';
import { coreCatalog } from '../../../../../webui/src/i18n/alerts/core.js';
import { buildCatalog, CatalogConflictError } from '../../../../../webui/src/i18n/alerts/index.js';
import { LANGS } from '../../../../../webui/src/i18n/types.js';

const SKELETON_KINDS = ['blocklist_hit', 'sensor_down', 'ruleset_failed', 'upstream_unreachable'];

test('the merged catalog has every skeleton kind', (t) => {
  const catalog = buildCatalog();
  for (const kind of SKELETON_KINDS) t.true(Object.hasOwn(catalog, kind), kind);
});

test('every kind has a template for every language', (t) => {
  const catalog = buildCatalog();
  for (const [kind, texts] of Object.entries(catalog)) {
    for (const lang of LANGS) t.is(typeof texts[lang], 'function', `${kind}/${lang}`);
  }
});

test('a kind defined by two partial catalogs is refused at build time', (t) => {
  const err = t.throws(() => buildCatalog([coreCatalog, { blocklist_hit: coreCatalog['blocklist_hit']! }]), { instanceOf: CatalogConflictError });
  t.is(err?.kind, 'blocklist_hit');
});

test('Japanese texts use no network jargon in staff-facing fields', (t) => {
  const catalog = buildCatalog();
  const jargon = /NFLOG|CIDR|C2|conntrack|nft|ulogd|syslog|TCP|UDP|パケット|(?<!サ)ポート/i; // サポート (support) is fine
  for (const [kind, texts] of Object.entries(catalog)) {
    for (const lang of LANGS) {
      for (const direction of ['outbound', 'inbound']) {
        for (const action of ['blocked', 'watched']) {
          const text = texts[lang]({ direction, action, count: 2, deviceIp: '192.168.1.23', remoteIp: '203.0.113.5', category: 'c2' });
          for (const [field, value] of Object.entries(text)) t.notRegex(value, jargon, `${kind}/${lang}/${field}`);
        }
      }
    }
  }
});

test('Japanese texts are polite (end in 。 and use です/ます somewhere)', (t) => {
  const catalog = buildCatalog();
  for (const [kind, texts] of Object.entries(catalog)) {
    const text = texts.ja({ direction: 'outbound', action: 'blocked', deviceIp: '192.168.1.23', remoteIp: '203.0.113.5' });
    for (const field of ['what', 'why', 'did', 'todo'] as const) {
      t.regex(text[field], /。$/, `${kind}/${field} ends a sentence`);
      t.regex(text[field], /(です|ます|ました|ません|ください|でした)/, `${kind}/${field} is polite`);
    }
  }
});
