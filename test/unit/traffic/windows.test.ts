// The detector windows file in the state dir (traffic/windows.ts, issue 15): what is saved is
// what a restarted box takes back; a damaged file is refused whole (the caller logs it), a missing one is a first start.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DetectorSet, WindowSnapshotSchema } from '../../../firmware/src/detectors/index.js';
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

test('the file is written in slices and its text is what JSON.stringify writes of the snapshot', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-windows-'));
  try {
    const d = make();
    const at = DAY0 + 20 * H;
    for (const f of periodic({ every: 1_800_000, hours: 20, seed: 5 })) d.onFlow(f);
    let pauses = 0;
    await saveWindows(dir, d, at, { sliceMs: 0, pause: async () => { pauses++; } });
    t.is(readFileSync(join(dir, WINDOWS_FILE), 'utf8'), JSON.stringify(d.snapshot(at)));
    t.true(pauses > 20, `one slice per piece with sliceMs 0 (${pauses} pauses)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('flows arriving between the slices of a save: every row whole, no key twice, and the file loads', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-windows-'));
  try {
    const d = make();
    const at = DAY0 + 20 * H;
    // 4 devices × 10 remotes, 40 connections each: past 32 connections a pair's array grows in place.
    const over = (i: number) => ({ deviceIp: `192.168.1.${20 + (i % 4)}`, deviceMac: `02:00:00:00:00:${(20 + (i % 4)).toString(16)}`, remoteIp: `203.0.113.${10 + Math.floor(i / 4)}` });
    const flows = Array.from({ length: 40 }, (_, i) => periodic({ every: 1_800_000, hours: 20, seed: i + 1, over: over(i) })).flat();
    for (const f of flows.sort((a, b) => a.end - b.end)) d.onFlow(f);
    const keys = (s: { beacon: { pairs: Array<[string, ...unknown[]]> } }) => s.beacon.pairs.map((p) => p[0]);
    const before = new Set(keys(d.snapshot(at)));
    let i = 0;
    await saveWindows(dir, d, at, {
      sliceMs: 0,
      pause: async () => {
        // One flow per pause, round the pairs; once midway every pair is dropped by a later
        // eviction and new flows add some again (a Map would then visit a key twice).
        const n = i++;
        const later = n >= 25 ? 25 * H : 0;
        if (n === 25) d.evict(at + later);
        const start = at + later + n * 1000;
        d.onFlow(flow({ ...over(n % 40), start, end: start + 200 }));
      },
    });
    t.true(i > 100, `flows arrived between slices (${i})`);
    const text = readFileSync(join(dir, WINDOWS_FILE), 'utf8');
    const written = WindowSnapshotSchema.parse(JSON.parse(text));
    const pairKeys = keys(written);
    t.is(new Set(pairKeys).size, pairKeys.length, 'no pair twice');
    t.true(pairKeys.every((k) => before.has(k)), 'pairs added while the pairs were written wait for the next save');
    t.true(pairKeys.length > 0 && pairKeys.length < before.size, 'some pairs were written before the eviction, the rest after it');
    for (const [k, conns, lastSeen] of written.beacon.pairs) {
      // A row is one moment of its pair: its last sighting is the end of its last connection.
      t.is(Math.round((conns[conns.length - 2] ?? NaN) * 1000) + 200, Math.round(lastSeen), k);
    }
    t.deepEqual(loadWindows(dir, make()), { restored: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
