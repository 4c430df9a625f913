// Cost of the packet-path `update @lan_seen { ether saddr . ip saddr }` rule (bridge mode):
// two hosts talk through a bridge in a scratch namespace; a ping flood runs with the bridge
// table's forward chain holding only an accept-all counter rule (baseline) and with the
// update rule added, alternately, in the same run. Prints the ratio of elapsed times.
// Needs root. Run: npx tsx test/bench/lanSeenRule.bench.ts
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { systemBin } from '../../firmware/src/sys/bin.js';

const ip = systemBin('ip'); const nft = systemBin('nft'); const ping = systemBin('ping');
const id = process.pid.toString(16);
const ns = { a: `utmb-a-${id}`, br: `utmb-br-${id}`, c: `utmb-c-${id}` };
const sh = (argv: string[]): string => execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
const inNs = (n: string, argv: string[]): string => sh([ip, 'netns', 'exec', n, ...argv]);
const COUNT = Number(process.env.COUNT ?? 20_000);

function ruleset(withUpdate: boolean): string {
  return JSON.stringify({ nftables: [
    { add: { table: { family: 'bridge', name: 'utm' } } }, { delete: { table: { family: 'bridge', name: 'utm' } } },
    { add: { table: { family: 'bridge', name: 'utm' } } },
    { add: { set: { family: 'bridge', table: 'utm', name: 'lan_seen', type: ['ether_addr', 'ipv4_addr'], flags: ['timeout'], timeout: 3600, size: 65536 } } },
    { add: { chain: { family: 'bridge', table: 'utm', name: 'forward', type: 'filter', hook: 'forward', prio: 0, policy: 'accept' } } },
    { add: { rule: { family: 'bridge', table: 'utm', chain: 'forward', expr: withUpdate
      ? [{ match: { op: '==', left: { meta: { key: 'iifname' } }, right: { set: ['pa'] } } }, { match: { op: '==', left: { payload: { protocol: 'ether', field: 'type' } }, right: 'ip' } },
        { set: { op: 'update', elem: { concat: [{ payload: { protocol: 'ether', field: 'saddr' } }, { payload: { protocol: 'ip', field: 'saddr' } }] }, set: '@lan_seen' } }]
      : [{ match: { op: '==', left: { meta: { key: 'iifname' } }, right: { set: ['pa'] } } }, { match: { op: '==', left: { payload: { protocol: 'ether', field: 'type' } }, right: 'ip' } }, { counter: { packets: 0, bytes: 0 } }] } } },
  ] });
}

try {
  for (const n of Object.values(ns)) sh([ip, 'netns', 'add', n]);
  sh([ip, 'link', 'add', 'x0', 'netns', ns.a, 'type', 'veth', 'peer', 'pa', 'netns', ns.br]);
  sh([ip, 'link', 'add', 'x1', 'netns', ns.c, 'type', 'veth', 'peer', 'pc', 'netns', ns.br]);
  inNs(ns.br, [ip, 'link', 'add', 'br0', 'type', 'bridge']);
  for (const p of ['pa', 'pc']) inNs(ns.br, [ip, 'link', 'set', p, 'master', 'br0', 'up']);
  inNs(ns.br, [ip, 'link', 'set', 'br0', 'up']);
  inNs(ns.a, [ip, 'addr', 'add', '10.99.0.1/24', 'dev', 'x0']); inNs(ns.a, [ip, 'link', 'set', 'x0', 'up']);
  inNs(ns.c, [ip, 'addr', 'add', '10.99.0.2/24', 'dev', 'x1']); inNs(ns.c, [ip, 'link', 'set', 'x1', 'up']);
  inNs(ns.a, [ping, '-c', '3', '-W', '2', '10.99.0.2']);
  const run = (withUpdate: boolean): number => {
    // nft opens `-` as /dev/stdin by path, which fails on a pipe from Node: use a file.
    const file = join(tmpdir(), `utmb-${id}.json`);
    writeFileSync(file, ruleset(withUpdate));
    inNs(ns.br, [nft, '-j', '-f', file]);
    rmSync(file);
    const t = performance.now();
    inNs(ns.a, [ping, '-f', '-q', '-c', String(COUNT), '10.99.0.2']);
    return performance.now() - t;
  };
  const base: number[] = []; const upd: number[] = [];
  run(false); // warm-up
  for (let i = 0; i < 4; i++) { base.push(run(false)); upd.push(run(true)); }
  const med = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const b = med(base); const u = med(upd);
  console.log(`ping flood ${COUNT} echo/reply pairs through a bridge: baseline (counter rule) ${b.toFixed(0)} ms, with update @lan_seen ${u.toFixed(0)} ms → ${(u / b).toFixed(3)}× (${(((u - b) * 1000) / (COUNT * 2)).toFixed(2)} µs per forwarded packet)`);
  console.log(`set size after the run: ${(inNs(ns.br, [nft, 'list', 'set', 'bridge', 'utm', 'lan_seen']).match(/expires/g) ?? []).length} element(s)`);
} finally {
  for (const n of Object.values(ns)) {
    try { sh([ip, 'netns', 'del', n]); } catch (e) { console.error(`cannot delete ${n}: ${(e as Error).message}`); }
  }
}
