// Helper run inside a namespace: tries TCP connections and prints one JSON line per target:
// {"target":"ADDR:PORT","outcome":"connected"|"refused"|"timeout"|"unreachable"|"error","code":...,"ms":N},
// in the order the targets were given (all probes run at once).
// With --send N it writes N bytes after connecting (an upload) before closing.
// Usage: probe.ts --timeout MS [--send BYTES] ADDR:PORT [ADDR:PORT ...]   (IPv6 as [ADDR]:PORT)
import { connect } from 'node:net';

type Outcome = 'connected' | 'refused' | 'timeout' | 'unreachable' | 'error';

const argv = process.argv.slice(2);
let timeoutMs = 2000;
let sendBytes = 0;
const targets: { host: string; port: number; spec: string }[] = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i] ?? '';
  if (a === '--timeout') timeoutMs = Number(argv[++i]);
  else if (a === '--send') sendBytes = Number(argv[++i]);
  else {
    const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(a);
    if (m?.[1] === undefined || m[2] === undefined) throw new RangeError(`bad ADDR:PORT ${a}`);
    targets.push({ host: m[1], port: Number(m[2]), spec: a });
  }
}

function classify(code: string | undefined): Outcome {
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return 'refused';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'unreachable';
  return 'error';
}

interface Result {
  target: string;
  outcome: Outcome;
  code: string | undefined;
  ms: number;
}

function probe(t: { host: string; port: number; spec: string }): Promise<Result> {
  const started = Date.now();
  return new Promise((resolve) => {
    const sock = connect({ host: t.host, port: t.port });
    let settled = false;
    const finish = (outcome: Outcome, code?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ target: t.spec, outcome, code, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    sock.on('error', (e: NodeJS.ErrnoException) => finish(classify(e.code), e.code));
    sock.on('connect', () => {
      if (sendBytes <= 0) return finish('connected');
      clearTimeout(timer);
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let left = sendBytes;
      const pump = (): void => {
        while (left > 0) {
          const n = Math.min(left, chunk.length);
          left -= n;
          if (!sock.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void sock.once('drain', pump);
        }
        sock.end(() => finish('connected'));
      };
      pump();
    });
  });
}

const results = await Promise.all(targets.map(probe));
process.stdout.write(results.map((r) => `${JSON.stringify(r)}\n`).join(''));
