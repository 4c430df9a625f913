import test from 'ava';
import { nameAlerts } from '../../../../webui/src/i18n/alerts/names.js';
import { buildCatalog } from '../../../../webui/src/i18n/alerts/index.js';

const FIELDS = ['title', 'what', 'why', 'did', 'todo'] as const;

for (const [label, params] of [
  ['a role name (wpad)', { mac: '02:00:00:00:00:99', ip: '192.168.77.150', name: 'wpad', reason: 'role', attempts: 2 }],
  ['the box\'s own name', { mac: '02:00:00:00:00:99', name: 'otasuke', reason: 'role', attempts: 3 }],
  ['a held name', { mac: '02:00:00:00:00:99', name: 'keiri-pc', reason: 'held', holder: '経理のパソコン', attempts: 2 }],
] as const) {
  test(`dhcp_name_refused, ${label}: ja and en fill all five fields in plain words`, (t) => {
    for (const lang of ['ja', 'en'] as const) {
      const text = nameAlerts.dhcp_name_refused![lang](params);
      for (const f of FIELDS) t.true(text[f].length > 5, `${lang}.${f}`);
      const all = Object.values(text).join('');
      t.true(all.includes(params.name));
      t.false(all.includes('undefined'));
    }
    const ja = Object.values(nameAlerts.dhcp_name_refused!.ja(params)).join('');
    for (const word of ['DHCP', 'MAC', 'DNS', 'dnsmasq', 'WPAD', 'null']) t.false(ja.includes(word), word);
  });
}

test('the held-name text names the device that holds it; the catalog has the kind once', (t) => {
  t.true(nameAlerts.dhcp_name_refused!.ja({ name: 'keiri-pc', reason: 'held', holder: '経理のパソコン' }).why.includes('経理のパソコン'));
  t.truthy(buildCatalog().dhcp_name_refused);
});
