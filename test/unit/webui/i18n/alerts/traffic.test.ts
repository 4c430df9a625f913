import test from 'ava';
import { LANGS } from '../../../../../webui/src/i18n/types.js';
import { trafficAlerts } from '../../../../../webui/src/i18n/alerts/traffic.js';

const KINDS = ['beacon', 'mail_abuse', 'scan', 'upload', 'long_connection', 'threat_contact', 'threat_repeat', 'incident'];
const JARGON = /C2|CIDR|NFLOG|NFCT|conntrack|SMTP|TCP|UDP|beacon|IPアドレス|ポート/i;
const PARAMS = { device: '192.168.1.10', remote: '198.51.100.66', port: 445, intervalSeconds: 300, connections: 288, servers: 30, minutes: 10,
  hosts: 26, ports: 16, pattern: 'hosts', lan: true, megabytes: 1500, businessHours: false, hours: 2, attempts: 30, findings: 3, category: 'c2' };

test('every traffic kind has ja and en texts with all five parts filled', (t) => {
  t.deepEqual(Object.keys(trafficAlerts).sort(), [...KINDS].sort());
  for (const k of KINDS) for (const lang of LANGS) {
    const text = trafficAlerts[k]![lang](PARAMS);
    for (const part of ['title', 'what', 'why', 'did', 'todo'] as const) t.true(text[part].length > 5, `${k}.${lang}.${part}`);
    t.false(/undefined|NaN|\$\{/.test(Object.values(text).join(' ')), `${k}.${lang} leaks a placeholder`);
  }
});

test('Japanese staff texts avoid technical jargon and are polite', (t) => {
  for (const k of KINDS) {
    const ja = trafficAlerts[k]!.ja(PARAMS);
    for (const part of Object.values(ja)) t.false(JARGON.test(part), `${k}: ${part}`);
    t.regex(ja.todo, /ください/);
  }
  t.regex(trafficAlerts['beacon']!.ja(PARAMS).todo, /LANケーブルを抜くかWi-Fiを切り、相談窓口に電話してください/);
});

test('texts survive missing parameters', (t) => {
  for (const k of KINDS) for (const lang of LANGS) t.notThrows(() => trafficAlerts[k]![lang]({}));
});

test('the remote\'s DNS name, when known, is named beside its address in both languages', (t) => {
  const named = { ...PARAMS, remoteName: 'cdn-sync.example.net' };
  for (const k of ['beacon', 'upload', 'long_connection', 'threat_contact']) {
    t.true(trafficAlerts[k]!.ja(named).what.includes('198.51.100.66、名前: cdn-sync.example.net'), k);
    t.true(trafficAlerts[k]!.en(named).what.includes('198.51.100.66, named cdn-sync.example.net'), k);
    t.false(trafficAlerts[k]!.ja(PARAMS).what.includes('名前'), `${k} without a name`);
  }
  t.true(trafficAlerts['scan']!.ja({ ...named, pattern: 'ports' }).what.includes('名前: cdn-sync.example.net'));
});

test('an upload is called more than usual only when the device\'s own history was measured (aboveUsual)', (t) => {
  const usual = /いつも|ふだん|usual|normally/;
  for (const lang of LANGS) {
    const measured = trafficAlerts['upload']![lang]({ ...PARAMS, aboveUsual: true });
    t.regex(`${measured.title} ${measured.what}`, usual, `${lang}: measured against its history`);
    for (const p of [{ ...PARAMS, aboveUsual: false }, { ...PARAMS }]) {
      const text = trafficAlerts['upload']![lang](p);
      t.notRegex(`${text.title} ${text.what}`, usual, `${lang}: no history was measured, so nothing may be said about "usual"`);
    }
  }
});

test('a further channel of a device that kept several is not called regular: it says what was seen', (t) => {
  const scoped = { ...PARAMS, connections: 86, activeHours: 10, deviceRareChannels: 3 };
  const ja = trafficAlerts['beacon']!.ja(scoped), en = trafficAlerts['beacon']!.en(scoped);
  t.notRegex(Object.values(ja).join(' '), /規則正しく|決まった間隔|約5分ごと/);
  t.notRegex(Object.values(en).join(' '), /regular|fixed intervals|every 5 minutes/i);
  t.true(ja.what.includes('3か所の相手') && ja.what.includes('この24時間のうち10時間にわたって') && ja.what.includes('86回'), ja.what);
  t.true(en.what.includes('3 outside addresses') && en.what.includes('86 times in 10 of the last 24 hours'), en.what);
  for (const part of Object.values(ja)) t.false(JARGON.test(part), part);
  t.notThrows(() => trafficAlerts['beacon']!.ja({ deviceRareChannels: 2 }));
  t.false(/undefined|NaN/.test(Object.values(trafficAlerts['beacon']!.en({ deviceRareChannels: 2 })).join(' ')));
  // A regular beacon keeps its own text.
  t.regex(trafficAlerts['beacon']!.ja(PARAMS).what, /規則正しく/);
});
