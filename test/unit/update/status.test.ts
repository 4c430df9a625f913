// utmctl update status: RAUC's JSON + the ESP's entry names → what the technician reads.
import test from 'ava';
import { buildUpdateStatus, entryState, formatUpdateStatus, parseRelease, RaucStatusSchema } from '../../../firmware/src/update/status.js';

// Shape of `rauc status --detailed --output-format=json` (RAUC 1.13), trimmed.
const RAUC = {
  compatible: 'otasuke-utm-amd64', variant: '', booted: 'A', boot_primary: 'rootfs.0',
  slots: [
    { 'rootfs.0': { class: 'rootfs', device: '/dev/disk/by-partlabel/root-a', type: 'raw', bootname: 'A', state: 'booted', parent: null, mountpoint: null, boot_status: 'good', slot_status: { status: 'ok' } } },
    { 'rootfs.1': { class: 'rootfs', device: '/dev/disk/by-partlabel/root-b', type: 'raw', bootname: 'B', state: 'inactive', boot_status: 'bad', slot_status: { bundle: { compatible: 'otasuke-utm-amd64', version: '0.2.0' }, installed: { timestamp: '2026-12-01T10:00:00Z', count: 1 }, status: 'ok' } } },
  ],
};

test('entry names tell committed, on trial and abandoned apart', (t) => {
  t.deepEqual(entryState(['otasuke-a.conf'], 'A'), { entry: 'committed', triesLeft: null, triesDone: null });
  t.deepEqual(entryState(['otasuke-b+2.conf'], 'B'), { entry: 'trial', triesLeft: 2, triesDone: 0 });
  t.deepEqual(entryState(['otasuke-b+1-1.conf'], 'B'), { entry: 'trial', triesLeft: 1, triesDone: 1 });
  t.deepEqual(entryState(['otasuke-b+0-3.conf'], 'B'), { entry: 'abandoned', triesLeft: 0, triesDone: 3 });
  t.is(entryState(['otasuke-a.conf'], 'B').entry, 'none');
  t.is(entryState(['otasuke-bb+1.conf', 'xotasuke-b.conf'], 'B').entry, 'none');
});

test('a fallen-back update shows as abandoned, with the running version and the floor', (t) => {
  const rauc = RaucStatusSchema.parse(RAUC);
  const s = buildUpdateStatus({ release: parseRelease('VERSION=0.1.0\nSUITE=trixie\nbad line\n'), rauc, entries: ['otasuke-a.conf', 'otasuke-b+0-3.conf'], floor: '0.1.0', healthLog: 'l1\nl2\n', problems: [] });
  t.deepEqual(s.running, { version: '0.1.0', slot: 'A' });
  t.is(s.slots.length, 2);
  t.like(s.slots[1], { bootname: 'B', booted: false, primary: false, entry: 'abandoned', version: '0.2.0' });
  t.like(s.slots[0], { bootname: 'A', booted: true, primary: true, entry: 'committed' });
  const text = formatUpdateStatus(s);
  t.regex(text, /running: version 0\.1\.0 from slot A/);
  t.regex(text, /B: version 0\.2\.0, ABANDONED/);
  t.regex(text, /version floor: 0\.1\.0/);
});

test('RAUC not answering is a named problem, not a crash', (t) => {
  const s = buildUpdateStatus({ release: {}, rauc: null, entries: [], floor: null, healthLog: '', problems: ['rauc status failed: x'] });
  t.deepEqual(s.slots, []);
  t.regex(formatUpdateStatus(s), /problem: rauc status failed/);
});
