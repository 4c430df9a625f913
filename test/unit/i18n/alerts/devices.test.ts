import test from 'ava';
import { deviceAlerts, DEVICE_QUESTION } from '../../../../webui/src/i18n/alerts/devices.js';

const FIELDS = ['title', 'what', 'why', 'did', 'todo'] as const;
const sample = { mac: '5a:11:22:33:44:55', hostname: 'Taros-iPhone', vendor: undefined, deviceType: 'phone', osName: 'Windows XP', quarantined: false, actor: 'staff' };

for (const kind of ['new_device_phone', 'new_device_unknown', 'new_device_eol', 'device_quarantined']) {
  test(`${kind}: ja and en fill all five fields; Japanese avoids jargon`, (t) => {
    const c = deviceAlerts[kind];
    t.truthy(c);
    for (const lang of ['ja', 'en'] as const) {
      const text = c![lang](sample);
      for (const f of FIELDS) t.true(text[f].length > 5, `${lang}.${f}`);
    }
    const ja = Object.values(deviceAlerts[kind]!.ja(sample)).join('');
    for (const word of ['DHCP', 'MAC', 'NFLOG', 'CIDR', 'C2', 'nft', 'OUI', 'undefined', 'null']) t.false(ja.includes(word), word);
    t.false(Object.values(deviceAlerts[kind]!.en(sample)).join('').includes('undefined'));
  });
}

test('new device texts ask whether staff recognise it, and say "maybe the same" honestly', (t) => {
  for (const kind of ['new_device_phone', 'new_device_unknown', 'new_device_eol']) {
    const plain = deviceAlerts[kind]!.ja(sample);
    t.true(plain.todo.includes(DEVICE_QUESTION.ja));
    t.false(plain.what.includes('以前の機器と同じかもしれません'));
    const maybe = deviceAlerts[kind]!.ja({ ...sample, maybeSameAs: '7e:aa:bb:cc:dd:ee', maybeSameAsName: 'Taros-iPhone' });
    t.true(maybe.what.includes('以前の機器と同じかもしれません'));
    t.true(deviceAlerts[kind]!.en({ ...sample, maybeSameAs: '7e:aa:bb:cc:dd:ee' }).what.includes('may be the same device'));
  }
});

test('quarantine wording follows the box action', (t) => {
  t.regex(deviceAlerts.new_device_phone!.ja({ ...sample, quarantined: true }).did, /隔離しました/);
  t.regex(deviceAlerts.new_device_phone!.ja(sample).did, /止めていません/);
});

test('the end-of-life text names the operating system and gives its own advice', (t) => {
  const x = deviceAlerts.new_device_eol!.ja(sample);
  t.true(x.why.includes('Windows XP'));
  t.regex(x.todo, /買い替え/);
});

test('missing parameters still give sensible sentences', (t) => {
  for (const kind of Object.keys(deviceAlerts)) {
    const ja = deviceAlerts[kind]!.ja({});
    t.false(Object.values(ja).join('').includes('undefined'));
  }
});

test('a notice restated on later evidence says what it first said and that it was not so; a withdrawn "maybe the same" says why', (t) => {
  const eolWas = deviceAlerts.new_device_unknown!.ja({ ...sample, correctedFrom: 'new_device_eol' });
  t.regex(eolWas.what, /先に「サポートが終わった古いパソコン」とお知らせしましたが、その後の通信から、そうではないと分かりました。/);
  t.regex(deviceAlerts.new_device_unknown!.en({ ...sample, correctedFrom: 'new_device_phone' }).what, /first reported it as most likely a personal smartphone/);
  t.regex(deviceAlerts.new_device_eol!.ja({ ...sample, correctedFrom: 'new_device_unknown' }).what, /内容を改めました/);
  const withdrawn = deviceAlerts.new_device_unknown!.ja({ ...sample, maybeWithdrawn: true });
  t.regex(withdrawn.what, /同時に使われていることが分かったので、別の機器です/);
  t.false(withdrawn.what.includes('以前の機器と同じかもしれません（'), 'the claim itself is not repeated');
  t.regex(deviceAlerts.new_device_unknown!.en({ ...sample, maybeWithdrawn: true }).what, /so they are two devices/);
  // Nothing is said when nothing was corrected, nor for a value the box never sends.
  t.notRegex(deviceAlerts.new_device_unknown!.ja(sample).what, /先に|改めました/);
  t.notRegex(deviceAlerts.new_device_unknown!.ja({ ...sample, correctedFrom: 'toString' }).what, /先に|改めました|undefined|function/);
});
