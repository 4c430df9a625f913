// Helper run inside a namespace: one HTTP GET, printed as one JSON line:
// {"status":N,"ms":N,"body":"first 64 KiB"} or {"status":0,"error":"CODE","ms":N}.
// Usage: httpGet.ts --timeout MS URL
import { get } from 'node:http';

const argv = process.argv.slice(2);
const timeoutMs = argv[0] === '--timeout' ? Number(argv[1]) : 5000;
const url = argv[argv[0] === '--timeout' ? 2 : 0];
if (!url) throw new RangeError('usage: httpGet.ts --timeout MS URL');
const started = Date.now();
const done = (o: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ ...o, ms: Date.now() - started })}\n`);
  process.exit(0);
};
const req = get(url, { agent: false, timeout: timeoutMs }, (res) => {
  const chunks: Buffer[] = [];
  let len = 0;
  res.on('data', (b: Buffer) => { if (len < 65536) chunks.push(b); len += b.length; });
  res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, 65536) }));
  res.on('error', (e: NodeJS.ErrnoException) => done({ status: 0, error: e.code ?? e.message }));
});
req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
req.on('error', (e: NodeJS.ErrnoException) => done({ status: 0, error: e.code ?? e.message }));
