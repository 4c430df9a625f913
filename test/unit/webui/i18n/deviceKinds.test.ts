// One table of device-kind words (issue 13): every kind the classifier can produce — its own
// list and every deviceType the shipped fingerprint rules name — has words in ja and en, and
// the device list, the device alerts and every alert's naming of a device show those words.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { packageRoot } from '../../../../firmware/src/sys/paths.js';
import { DEVICE_TYPES } from '../../../../firmware/src/devices/fingerprints.js';
import { deviceAlerts } from '../../../../webui/src/i18n/alerts/devices.js';
import { deviceEn, deviceJa } from '../../../../webui/src/i18n/alerts/phrases.js';
import { DEVICE_KINDS, deviceKind } from '../../../../webui/src/i18n/deviceKinds.js';
import { DEVICE_WORDS } from '../../../../webui/src/i18n/devices.js';
import { term } from '../../../../webui/src/i18n/glossary.js';
import { LANGS } from '../../../../webui/src/i18n/types.js';

const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/u;

/** Every value of a "deviceType" key anywhere in the rules file. */
function kindsInRules(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) for (const x of v) kindsInRules(x, out);
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'deviceType' && typeof x === 'string') out.add(x);
      else kindsInRules(x, out);
    }
  }
  return out;
}

const kinds = new Set<string>([...DEVICE_TYPES, ...kindsInRules(JSON.parse(readFileSync(join(packageRoot(), 'rules', 'fingerprints.json'), 'utf8')))]);

test('every kind the classifier can produce has words in both languages', (t) => {
  t.true(kinds.has('nas') && kinds.has('iot'), 'the rules file was read');
  for (const k of kinds) {
    const ja = DEVICE_KINDS.ja[k], en = DEVICE_KINDS.en[k];
    t.truthy(ja, `ja for ${k}`);
    t.truthy(en, `en for ${k}`);
    t.regex(ja ?? '', JAPANESE, `ja for ${k} is Japanese`);
    t.notRegex(en ?? '', JAPANESE, `en for ${k} is English`);
  }
  for (const lang of LANGS) t.is(deviceKind('unknown', lang), term('unknownDevice', lang));
});

test('the device list, the device alerts and the alert naming all read the one table', (t) => {
  for (const lang of LANGS) t.is(DEVICE_WORDS[lang].types, DEVICE_KINDS[lang]);
  const unknown = deviceAlerts['new_device_unknown'];
  if (!unknown) return t.fail('no new_device_unknown template');
  for (const k of kinds) {
    const p = { deviceType: k, deviceIp: '192.168.1.23' };
    t.true(unknown.ja(p).what.includes(deviceKind(k, 'ja')), k);
    t.true(unknown.en(p).what.includes(deviceKind(k, 'en')), k);
    t.true(deviceJa(p).includes(deviceKind(k, 'ja')), k);
    t.true(deviceEn(p).includes(deviceKind(k, 'en')), k);
  }
  // The article follows the word: "An unknown kind of device", not "A unknown ...".
  t.regex(unknown.en({}).what, /^An unknown kind of device/);
  t.is(deviceEn({ deviceType: 'unknown', deviceVendor: 'Brother', deviceIp: '192.168.1.23' }), 'an unknown kind of device made by Brother (192.168.1.23)');
});
