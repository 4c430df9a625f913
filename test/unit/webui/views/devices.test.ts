import test from 'ava';
import { devicesSection } from '../../../../webui/src/views/devices.js';
import { webActor } from '../../../../webui/src/routes/deviceActions.js';
import { formatWhen } from '../../../../webui/src/views/format.js';
import { DeviceSchema, type Device } from '../../../../firmware/src/devices/model.js';
import type { PageContext } from '../../../../webui/src/index.js';

const HOSTILE = '<img src=x onerror=alert(1)>';
const dev = (over: Partial<Device>): Device => DeviceSchema.parse({
  mac: '26:11:22:33:44:55', ipv4: ['192.168.77.150'], ipv6: [], hostname: HOSTILE, vendor: null, randomised: true,
  fingerprint: null, osFamily: 'ios', osName: 'iOS / iPadOS', deviceType: 'phone', confidence: 0.9, eol: false,
  likelyPersonalPhone: true, phoneReasons: ['randomised_mac'], firstSeen: 1_764_100_000_000, lastSeen: 1_764_100_060_000,
  status: 'new', label: null, linkedTo: null, maybeSameAs: null, alerted: true, pendingSince: null, ...over,
});
const list = (devices: Device[], active = false) => ({ list: () => ({ devices, learning: { active, until: 1_764_700_000_000 }, counters: { evicted: 0, dropped: 0 } }) });
const ctx = (user: string | null, lang: 'ja' | 'en' = 'ja', timeZone = 'Asia/Tokyo'): PageContext => ({ lang, now: 1_764_100_100_000, timeZone, session: { sid: user ? 's' : null, user, csrf: 'tok"en', clientIp: '192.168.77.101' } });

test('a new device is asked about in plain words; hostile names are escaped', (t) => {
  const page = devicesSection(list([dev({})]), ctx(null)).toString();
  t.true(page.includes('この機器に心当たりはありますか？'));
  t.false(page.includes(HOSTILE));
  t.true(page.includes('&lt;img src=x onerror=alert(1)&gt;'));
  t.true(page.includes('私物のスマートフォンかもしれません'));
});

test('buttons only after login, each form carrying the CSRF token', (t) => {
  const anon = devicesSection(list([dev({})]), ctx(null)).toString();
  t.false(anon.includes('<form'));
  t.true(anon.includes('href="#login"'));
  const staff = devicesSection(list([dev({})]), ctx('admin')).toString();
  t.true(staff.includes('action="/actions/devices/approve"'));
  t.true(staff.includes('action="/actions/devices/quarantine"'));
  t.false(staff.includes('action="/actions/devices/release"'));
  t.true(staff.includes('name="_csrf" value="tok&quot;en"'));
  const q = devicesSection(list([dev({ status: 'quarantined' })]), ctx('admin', 'en')).toString();
  t.true(q.includes('action="/actions/devices/release"'));
  t.true(q.includes('Quarantined'));
});

test('the learning period and end-of-life PCs are explained', (t) => {
  const page = devicesSection(list([dev({ eol: true, likelyPersonalPhone: false, status: 'learning', deviceType: 'pc' })], true), ctx(null)).toString();
  t.true(page.includes('学習期間中'));
  t.true(page.includes('サポートが終了した古いパソコン'));
});

test('web actor names the login and the client address, bounded', (t) => {
  t.is(webActor('admin', '192.168.77.101'), 'admin@192.168.77.101');
  t.is(webActor('a'.repeat(100), '::1').length, 64);
});

test('times are printed in the page context time zone (from provisioning), not a fixed one', (t) => {
  const d = dev({});
  const utc = devicesSection(list([d]), ctx(null, 'en', 'UTC')).toString();
  const tokyo = devicesSection(list([d]), ctx(null, 'en')).toString();
  t.true(utc.includes(formatWhen(d.firstSeen, 'en', 'UTC')));
  t.false(utc.includes(formatWhen(d.firstSeen, 'en', 'Asia/Tokyo')));
  t.true(tokyo.includes(formatWhen(d.firstSeen, 'en', 'Asia/Tokyo')));
});
