import test from 'ava';
import { printDevices } from '../../../firmware/src/devices/human.js';
import { DeviceSchema, type Device } from '../../../firmware/src/devices/model.js';

const HOSTILE = '<img src=x onerror=alert(1)>';
const dev = (over: Partial<Device>): Device => DeviceSchema.parse({
  mac: '26:11:22:33:44:55', ipv4: ['192.168.77.150'], ipv6: [], hostname: HOSTILE, vendor: null, randomised: true,
  fingerprint: null, osFamily: 'ios', osName: 'iOS / iPadOS', deviceType: 'phone', confidence: 0.9, eol: false,
  likelyPersonalPhone: true, phoneReasons: ['randomised_mac'], firstSeen: 1_764_100_000_000, lastSeen: 1_764_100_060_000,
  status: 'new', label: null, linkedTo: null, maybeSameAs: null, alerted: true, pendingSince: null, ...over,
});

test('utmctl devices neutralises control characters in device-supplied strings', (t) => {
  let out = '';
  printDevices({ devices: [dev({ hostname: 'evil\u001b[2J\u202eexe.txt', label: null })], learning: { active: false, until: 0 } }, (s) => { out += s; });
  t.false(out.includes('\u001b'));
  t.false(out.includes('\u202e'));
  t.true(out.includes('evil\\x1b[2J'));
});

test('utmctl devices says when a new-device alert waits for evidence, what it says now, and a withdrawn "maybe the same"', (t) => {
  let out = '';
  printDevices({ devices: [
    dev({ mac: '26:11:22:33:44:01', alertHeldUntil: Date.UTC(2026, 11, 2, 9, 1, 0) }),
    dev({ mac: '26:11:22:33:44:02', alertKind: 'new_device_unknown', linkEvidence: { score: 0, signals: ['fingerprint', 'timing', 'both_active'] } }),
    dev({ mac: '26:11:22:33:44:03', alertKind: 'new_device_phone' }),
  ], learning: { active: false, until: 0 } }, (s) => { out += s; });
  t.regex(out, /alert waits for evidence until 2026-12-02 09:01:00/);
  t.regex(out, /alert: new_device_unknown \("maybe the same" withdrawn: both seen in use\)/);
  t.regex(out, /alert: new_device_phone\n/);
});
