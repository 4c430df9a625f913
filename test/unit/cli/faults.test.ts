import test from 'ava';
import { faultsOf } from '../../../firmware/src/cli/faults.js';

test('blocklist refresh with one failed feed is a fault; loaded/unchanged/skipped are not', (t) => {
  t.deepEqual(faultsOf('blocklist.refresh', [{ feedId: 'a', result: 'loaded' }, { feedId: 'b', result: 'unchanged' }, { feedId: 'c', result: 'skipped' }]), []);
  t.deepEqual(faultsOf('blocklist.refresh', [{ feedId: 'a', result: 'loaded' }, { feedId: 'b', result: 'fault', reason: 'http_status' }]), ['feed b: http_status']);
});

test('a stored change whose apply failed is a fault (allow, blocklist enable, device actions)', (t) => {
  t.is(faultsOf('allow.add', { entry: '192.0.2.1', applied: false }).length, 1);
  t.deepEqual(faultsOf('allow.add', { entry: '192.0.2.1', applied: true }), []);
  t.is(faultsOf('blocklist.enable', { feed: 'x', enabled: true, applied: false }).length, 1);
  t.is(faultsOf('device.quarantine', { mac: '02:00:00:00:00:01', changed: true, status: 'quarantined', enforced: false }).length, 1);
  t.deepEqual(faultsOf('device.quarantine', { mac: '02:00:00:00:00:01', changed: true, status: 'quarantined', enforced: true }), []);
});

test('ruleset check: ok false is a fault; plain listings never are', (t) => {
  t.is(faultsOf('ruleset.check', { ok: false, checkError: null, drift: ['x'] }).length, 1);
  t.deepEqual(faultsOf('ruleset.check', { ok: true, drift: [] }), []);
  t.deepEqual(faultsOf('alerts', [{ id: 1 }]), []);
  t.deepEqual(faultsOf('status', { conditions: [] }), []);
});
