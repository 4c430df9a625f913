// The bench's view of the measured process's children and of the nft driver's waiting fill
// processes (blocklist.bench.ts): which processes a refresh started, and the driver as an
// hourly refresh finds it.
import { readdirSync, readFileSync } from 'node:fs';
import type { NftDriver } from '../../firmware/src/nft/driver.js';

/** This process's children now (every thread's). */
export function childPids(): Set<string> {
  const out = new Set<string>();
  for (const task of readdirSync('/proc/self/task')) {
    for (const pid of readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) out.add(pid);
  }
  return out;
}

/** The driver as an hourly refresh finds it: the nft processes a large load started ahead of
 *  its fill (nft/fillProcesses.ts) ended IDLE_MS (15 min) after, and no restock is due. Right
 *  after the load they are still there (or due), which hid what a refresh that starts them
 *  costs (two forks of the daemon: the 1% update 27 → 39 ms before 2026-12-05). */
export function asAnHourLater(nft: NftDriver): void {
  const fills = (nft as unknown as { fills: { restock?: NodeJS.Timeout | undefined; endWaiting: () => void } }).fills;
  clearTimeout(fills.restock);
  fills.restock = undefined;
  fills.endWaiting();
}
