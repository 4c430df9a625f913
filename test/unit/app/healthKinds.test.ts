import test from 'ava';
import { conditionFinding } from '../../../firmware/src/app/health.js';
import { conditionKind } from '../../../firmware/src/upstream/conditionMessage.js';

test('the centre hears a condition under the same kind as the alert the page shows for it', (t) => {
  for (const id of ['ruleset', 'sensor:ulogd', 'sensor:tcpdump:eth1', 'disk', 'storage', 'ports', 'upstream', 'feed:lab-c2', 'network', 'provisioning', 'page', 'control']) {
    const f = conditionFinding({ id, ok: false, since: 0, detail: '12 MB free' }, 3);
    if (f) t.is(conditionKind(id), f.kind, id);
  }
});
