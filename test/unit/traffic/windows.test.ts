// The detector windows file in the state dir (traffic/windows.ts, issue 15): what is saved is
// what a restarted box takes back; a damaged file is refused whole (the caller logs it), a missing one is a first start.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DetectorSet } from '../../../firmware/src/detectors/index.js';
import { loadWindows, saveWindows, WINDOWS_FILE } from '../../../firmware/src/traffic/windows.js';
import { DAY0, flow, H, periodic, thresholds } from '../detectors/helpers.js';

const make = () => new DetectorSet({ thresholds: thresholds(), listed: () => undefined });

test('saved windows are taken back whole after a restart; a damaged or missing file starts fresh', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-windows-'));
  try {
    const first = make();
    const at = DAY0 + 20 * H;
    for (const f of [...periodic({ every: 1_800_000, hours: 20, seed: 2 }), flow({ ctId: 7, event: 'update', remotePort: 22, start: DAY0 + 17 * H, end: DAY0 + 19 * H, bytesOut: 3e6 })].sort((a, b) => a.end - b.end)) first.onFlow(f);
    await saveWindows(dir, first, at);
    const text = readFileSync(join(dir, WINDOWS_FILE), 'utf8');
    const written = JSON.parse(text) as Record<string, unknown>;
    t.deepEqual(Object.keys(written).sort(), ['activeDevices', 'beacon', 'dnsNames', 'longConnection', 'officeNames', 'popularity', 'routine', 'upload', 'version']);
    const second = make();
    t.deepEqual(loadWindows(dir, second), { restored: true });
    t.deepEqual(JSON.parse(JSON.stringify(second.snapshot(at))), written);

    writeFileSync(join(dir, WINDOWS_FILE), text.slice(0, Math.floor(text.length / 2)));
    const third = make();
    const cut = loadWindows(dir, third);
    t.false(cut.restored);
    t.truthy(cut.error);
    t.deepEqual(third.snapshot(at), make().snapshot(at), 'nothing of a damaged file is taken');

    rmSync(join(dir, WINDOWS_FILE));
    t.deepEqual(loadWindows(dir, make()), { restored: false });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
