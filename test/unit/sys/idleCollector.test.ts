import test from 'ava';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { COLLECT_RULE, IdleCollector, shouldCollect, type HeapReading } from '../../../firmware/src/sys/idleCollector.js';

const MiB = 1024 * 1024;
const bytes = (mib: number): number => Math.round(mib * MiB);
/** A reading: MiB in use, MiB committed (default: 4 more). */
const at = (usedMiB: number, committedMiB = usedMiB + 4): HeapReading => ({ usedBytes: bytes(usedMiB), committedBytes: bytes(committedMiB) });
const FIX = fileURLToPath(new URL('../../fixtures/sys/idleGarbage.ts', import.meta.url));

test('the rule: a MiB more in use than the floor, and the heap quiet since the reading before', (t) => {
  const floor = bytes(21);
  t.false(shouldCollect(floor, null, at(24)), 'no reading before: not known to be quiet');
  t.true(shouldCollect(floor, at(22.6, 26), at(23.2, 26)), 'old garbage piled up slowly in the pages the heap has');
  t.false(shouldCollect(floor, at(21.6, 26), at(21.8, 26.2)), 'under the step');
  t.false(shouldCollect(floor, at(22, 26), at(60, 70)), 'growing fast: a load under way');
  t.false(shouldCollect(floor, at(90, 120), at(30, 60)), 'shrinking fast: V8 collected meanwhile');
  t.true(shouldCollect(floor, at(21.5, 27), at(22, 27.9)), 'exactly the step, committed up by less than a MiB');
  t.is(COLLECT_RULE.growthBytes, 1 * MiB);
});

function fake(readings: HeapReading[]): { collector: IdleCollector; gcs: () => number } {
  let i = 0;
  let gcs = 0;
  const collector = new IdleCollector({
    gc: () => { gcs++; },
    read: () => readings[Math.min(i++, readings.length - 1)]!,
    now: () => 1_000,
  });
  return { collector, gcs: () => gcs };
}

test('readings collect once the garbage piled up slowly, measure from what the collection left, and follow V8 down', (t) => {
  // floor 21; 21.5; 22.1 (+1.1, quiet) → gc, read after: 20.5 → floor 20.5; 20 (V8 collected) → floor 20;
  // 20.5; 20.9 (+0.9) no; 21.2 (+1.2) → gc, read after: 20.1
  const { collector, gcs } = fake([at(21, 25), at(21.5, 25), at(22.1, 25.2), at(20.5, 25.2), at(20, 25), at(20.5, 25), at(20.9, 25), at(21.2, 25), at(20.1, 25)]);
  for (let n = 0; n < 7; n++) collector.look();
  t.is(gcs(), 2);
  t.like(collector.status(), { available: true, collections: 2, lastAt: 1_000, lastFreedBytes: bytes(21.2) - bytes(20.1), freedBytes: bytes(22.1) - bytes(20.5) + bytes(21.2) - bytes(20.1), floorBytes: bytes(20.1) });
});

test('a load under way is left alone until the heap is quiet again', (t) => {
  const { collector, gcs } = fake([at(21, 25), at(60, 70), at(120, 140), at(119.5, 140), at(30, 140)]);
  collector.look();
  collector.look();
  collector.look();
  t.is(gcs(), 0, 'grew 45 and 70 MiB since the reading before');
  collector.look();
  t.is(gcs(), 1, 'quiet at 140 MiB committed: collected');
});

test('without --expose-gc nothing is looked at, and the status says so', (t) => {
  let reads = 0;
  const collector = new IdleCollector({ gc: undefined, read: () => { reads++; return at(99); } });
  collector.start();
  collector.look();
  collector.stop();
  t.is(reads, 0);
  t.like(collector.status(), { available: false, collections: 0 });
});

function runFixture(mode: 'collector' | 'v8'): Promise<{ grownBytes: number; status: { collections: number; freedBytes: number } }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', '--max-semi-space-size=4', '--import=tsx', FIX, mode], { timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as never));
  });
}

test('with the real V8: the collector keeps promoted garbage from growing the heap', async (t) => {
  const alone = await runFixture('v8');
  const kept = await runFixture('collector');
  t.log(`80 rounds of promoted garbage: the heap grew ${(alone.grownBytes / MiB).toFixed(1)} MiB under V8 alone, ${(kept.grownBytes / MiB).toFixed(1)} MiB with the collector (${kept.status.collections} collections)`);
  t.true(kept.status.collections > 0);
  t.true(kept.status.freedBytes > 0);
  t.true(kept.grownBytes < alone.grownBytes / 2, `${kept.grownBytes} against ${alone.grownBytes}`);
});
