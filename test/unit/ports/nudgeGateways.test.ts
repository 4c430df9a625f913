// Which default gateways get a resolving nudge: the gateway text is read by net/ip (issue 13).
// Only cases that send nothing are run here (a real nudge would leave this machine's namespace).
import test from 'ava';
import type { NetworkFacts } from '../../../firmware/src/net/topology.js';
import { nudgeGateways } from '../../../firmware/src/ports/portWatch.js';

const facts = (defaultGateways: string[], neighbours: NetworkFacts['neighbours'] = []): NetworkFacts =>
  ({ links: [], addrs: [], defaultGateways, neighbours, fdb: [] });

test('link-local, unreadable and already-resolved gateways are left alone', (t) => {
  const errors: unknown[] = [];
  const n = nudgeGateways(facts(
    ['fe80::1', 'FE80::2', 'febf::1', 'fe80::1%eth0', 'not-an-ip', '192.168.1.010', '', '2001:DB8::1', '192.0.2.1'],
    [{ ip: '2001:db8::1', mac: '02:00:00:00:00:01' }, { ip: '192.0.2.1', mac: '02:00:00:00:00:02' }],
  ), (_w, e) => errors.push(e));
  t.is(n, 0);
  t.deepEqual(errors, []);
});
