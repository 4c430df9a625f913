import test from 'ava';
import { findMute, MuteSchema, suppressBlocked, type Mute } from '../../../firmware/src/alerts/mutes.js';
import type { Finding } from '../../../firmware/src/alerts/types.js';

const finding = (over: Partial<Finding> = {}): Finding => ({
  kind: 'beacon', severity: 'warning', at: 1000, dedupKey: 'k', device: { mac: '02:00:00:00:00:0a', ip: '192.168.1.10' },
  remote: { ip: '203.0.113.5', port: 443 }, action: 'none', params: {}, evidence: {}, ...over,
});
const mute = (over: Partial<Mute>): Mute => MuteSchema.parse({ id: 1, until: null, ...over });

test('mutes scoped to a device, a destination, or both', (t) => {
  t.truthy(findMute([mute({ device: '02:00:00:00:00:0A' })], finding(), 0));
  t.truthy(findMute([mute({ device: '192.168.1.10' })], finding(), 0));
  t.truthy(findMute([mute({ remote: '203.0.113.0/24' })], finding(), 0));
  t.truthy(findMute([mute({ device: '02:00:00:00:00:0a', remote: '203.0.113.5' })], finding(), 0));
  t.falsy(findMute([mute({ device: '02:00:00:00:00:0a', remote: '203.0.113.6' })], finding(), 0));
  t.falsy(findMute([mute({ device: '02:00:00:00:00:0b' })], finding(), 0));
  t.falsy(findMute([mute({ device: '02:00:00:00:00:0a', kind: 'scan' })], finding(), 0));
});

test('expired mutes no longer apply', (t) => {
  const m = [mute({ device: '192.168.1.10', until: 5000 })];
  t.truthy(findMute(m, finding(), 4999));
  t.falsy(findMute(m, finding(), 5000));
});

test('a mute must name a device or a destination', (t) => {
  t.false(MuteSchema.safeParse({ id: 1, until: null }).success);
});

test('blocked traffic with nothing new is suppressed; an escalation or a first sighting is not', (t) => {
  const blocked = finding({ kind: 'threat_repeat', action: 'blocked' });
  t.false(suppressBlocked(blocked, undefined));
  t.true(suppressBlocked(blocked, { severity: 'warning', action: 'blocked' }));
  t.false(suppressBlocked({ ...blocked, severity: 'danger' }, { severity: 'warning', action: 'blocked' }));
  t.false(suppressBlocked(finding(), { severity: 'warning', action: 'none' }));
});
