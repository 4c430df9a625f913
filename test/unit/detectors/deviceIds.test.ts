// Device ids shared by the window tables (issue 15, memory): an id lives exactly as long as some
// entry holds it, so the table never outgrows the tables that use it.
import test from 'ava';
import { DetectorSet } from '../../../firmware/src/detectors/index.js';
import { DeviceIds } from '../../../firmware/src/detectors/deviceIds.js';
import { DAY0, flow, H, thresholds } from './helpers.js';

test('an id is freed with its last reference and then reused; letting go of a free id changes nothing', (t) => {
  const ids = new DeviceIds();
  const a = ids.ref('pc-a'), b = ids.ref('pc-b');
  t.is(ids.ref('pc-a'), a);
  ids.unref(a);
  t.is(ids.find('pc-a'), a, 'still held once');
  ids.unref(a);
  t.is(ids.find('pc-a'), undefined);
  ids.unref(a);
  t.is(ids.size, 1);
  t.is(ids.ref('pc-c'), a, 'the free id is taken again');
  t.is(ids.key(b), 'pc-b');
});

test('when the windows forget every device, no id is left (none leaks through beacon, routine or popularity)', (t) => {
  const d = new DetectorSet({ thresholds: thresholds(), listed: () => undefined, nameOf: () => 'cdn.example.com' });
  for (let i = 0; i < 200; i++) {
    d.onFlow(flow({ deviceMac: `02:00:00:00:01:${(i % 40).toString(16).padStart(2, '0')}`, remoteIp: i % 3 === 0 ? `2001:db8:${i}::1` : `198.51.${i % 7}.${i}`, start: DAY0 + i * 60_000 }));
  }
  const ids = (d as unknown as { deviceIds: DeviceIds }).deviceIds;
  t.is(ids.size, 40);
  d.evict(DAY0 + 40 * 24 * H); // past every window, also the routine's 31 office days
  t.is(ids.size, 0);
});
