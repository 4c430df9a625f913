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
