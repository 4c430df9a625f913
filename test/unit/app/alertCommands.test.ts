import test from 'ava';
import { openDb } from '../../../firmware/src/store/db.js';
import { everyMigration } from '../../helpers/schema.js';
import { MutesRepo } from '../../../firmware/src/alerts/mutesRepo.js';
import { findMute } from '../../../firmware/src/alerts/mutes.js';
import { alertHandlers } from '../../../firmware/src/app/alertCommands.js';

test('mute add takes every MAC form that device approve takes, and the mute matches the device', async (t) => {
  const db = openDb(':memory:', everyMigration);
  const mutes = new MutesRepo(db, () => 1000);
  const ports = {
    mutes, now: () => 1000,
    incidents: { recent: () => [], alertIds: () => [] }, alerts: { get: () => undefined },
    explain: () => ({ title: '', what: '', why: '', did: '', todo: '', call: '' }), nameDevice: () => undefined,
  };
  const add = alertHandlers(ports)['mute.add'];
  if (!add) return t.fail('no mute.add handler');
  for (const form of ['aabb.ccdd.eeff', 'AA-BB-CC-DD-EE-FF', 'aabbccddeeff', 'aa:bb:cc:dd:ee:ff']) {
    await add({ device: form, forMs: null, reason: '' });
  }
  const finding = {
    kind: 'beacon', severity: 'warning', at: 1000, dedupKey: 'k', device: { mac: 'aa:bb:cc:dd:ee:ff', ip: '192.168.1.10' },
    action: 'none', params: {}, evidence: {},
  } as const;
  const list = mutes.list();
  t.is(list.length, 4);
  for (const m of list) t.truthy(findMute([m], finding, 1000), `mute stored as ${m.device} matches`);
  db.close();
});
