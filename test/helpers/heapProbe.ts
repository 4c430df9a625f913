// A malloc heap that cannot grow, made on purpose (firmware/src/sys/heapRoom.ts): with address
// space randomisation off (`setarch -R`) the brk heap of Node.js's build starts at the same
// address every time, and glibc's top pad decides where it ends as V8 reserves its code range.
// The pads that make it end on a 256 KiB boundary, where the code range then lands, are found
// by starting node as utmd starts (the unit's flags and GLIBC_TUNABLES, argument strings of the
// same lengths: node copies them to the heap before V8 starts; the same environment's kind:
// NODE_EXTRA_CA_CERTS alone, say, moves the pads) with a probe that checks.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serviceEnvironment, serviceNodeFlags } from '../bench/compiled.js';

// The same check as heapRoom.ts's brkHeapBlocked, as a plain script: it loads nothing before
// its heap is laid out.
const PROBE = `import { readFileSync } from 'node:fs';
const r = [...readFileSync('/proc/self/maps', 'utf8').matchAll(/^([0-9a-f]+)-([0-9a-f]+) .*$/gm)];
const h = r.find((m) => m[0].endsWith('[heap]'));
process.stdout.write(h && r.some((m) => BigInt('0x' + m[1]) === BigInt('0x' + h[2])) ? 'blocked' : 'roomy');
`;

/** utmd.service's GLIBC_TUNABLES with a top pad of `topPad` bytes. */
export function tunablesWithTopPad(topPad: number): string {
  return [serviceEnvironment()['GLIBC_TUNABLES'], `glibc.malloc.top_pad=${topPad}`].filter(Boolean).join(':');
}

function probe(script: string, args: readonly string[], env: NodeJS.ProcessEnv, topPad: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('setarch', ['-R', process.execPath, ...serviceNodeFlags(), script, ...args], { env: { ...env, GLIBC_TUNABLES: tunablesWithTopPad(topPad) } },
      (e, out) => (e ? reject(new Error(`heap probe: ${e.message}`)) : resolve(out)));
  });
}

/**
 * Top pads (bytes, up to `want` of them) that block the heap of this machine's node started as
 * `node FLAGS <script> ARGS` in environment `env`, with a script path as long as `script`, and
 * the first pad that leaves room (-1 when none was seen).
 */
export async function topPads(script: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env, want = 3): Promise<{ blocking: number[]; roomy: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'utm-heap-'));
  try {
    const name = 'p'.repeat(Math.max(1, script.length - dir.length - 1 - '.mjs'.length));
    const file = join(dir, `${name}.mjs`);
    writeFileSync(file, PROBE);
    const blocking: number[] = [];
    let roomy = -1;
    for (let page = 0; page < 1024 && blocking.length < want; page += 4) {
      const pads = [0, 1, 2, 3].map((i) => (page + i) * 4096);
      const seen = await Promise.all(pads.map((p) => probe(file, args, env, p)));
      pads.forEach((p, i) => {
        if (seen[i] === 'blocked') blocking.push(p);
        else if (roomy < 0) roomy = p;
      });
    }
    return { blocking, roomy };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
