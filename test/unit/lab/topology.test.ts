// The lab's address plan: documentation ranges for the internet, distinct host addresses,
// the right gateway per mode.
import test from 'ava';
import fc from 'fast-check';
import { INTERNET, planTopology } from '../../lab/topology.js';

test('bridge mode: LAN hosts use the office router, the box has a management address in the LAN', (t) => {
  const p = planTopology('bridge', 2);
  t.is(p.lanGateway.v4, p.wanLink.v4);
  t.is(p.boxLan.v4, '192.168.77.2');
  t.deepEqual(p.lanHosts.map((h) => h.v4), ['192.168.77.101', '192.168.77.102']);
});

test('router mode: LAN hosts use the box, the box has its own WAN address', (t) => {
  const p = planTopology('router', 1);
  t.is(p.lanGateway.v4, p.boxLan.v4);
  t.not(p.boxWan.v4, p.boxLan.v4);
});

test('internet hosts are in documentation ranges only', (t) => {
  for (const h of Object.values(INTERNET)) {
    t.regex(h.v4, /^(192\.0\.2|198\.51\.100|203\.0\.113)\./);
    t.regex(h.v6, /^2001:db8:/);
  }
});

test('host addresses and namespace roles are distinct for any size', (t) => {
  fc.assert(fc.property(fc.constantFrom('bridge' as const, 'router' as const), fc.integer({ min: 1, max: 100 }), (mode, n) => {
    const p = planTopology(mode, n);
    const v4 = p.lanHosts.map((h) => h.v4);
    const v6 = p.lanHosts.map((h) => h.v6);
    return new Set(v4).size === n && new Set(v6).size === n && !v4.includes(p.boxLan.v4) && !v4.includes(p.lanGateway.v4);
  }));
  t.throws(() => planTopology('bridge', 0), { instanceOf: RangeError });
});
