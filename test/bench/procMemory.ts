// What a process's memory is made of, read from /proc text (smaps_rollup, smaps): shared by the
// footprint benches, which read it from the lab's namespaces (footprint.bench.ts) and from the
// booted image through its shell (imageFootprint.bench.ts).

const MB = 1024 * 1024;

/** One field of smaps_rollup (e.g. Rss, Pss, Anonymous), in bytes; 0 when absent. */
export function rollupBytes(rollup: string, field: string): number {
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0) * 1024;
}

/** Resident memory by mapping, from smaps text: each file's pages summed over its mappings,
 *  anonymous ones by kind ([heap], [stack], [anon]), largest first, those ≥ 256 KiB, in MB. */
export function smapsBreakdown(smaps: string): string {
  const sums = new Map<string, number>();
  let name = '';
  for (const line of smaps.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      name = head[1]?.trim() || '[anon]';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) sums.set(name, (sums.get(name) ?? 0) + Number(rss[1]) * 1024);
  }
  return [...sums].sort((a, b) => b[1] - a[1]).filter(([, v]) => v >= 256 * 1024)
    .map(([k, v]) => `${k.replace(/^.*\//, '')} ${(v / MB).toFixed(1)}`).join(', ');
}
