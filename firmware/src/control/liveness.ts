// A second, tiny control socket served by a worker thread, so that utmctl can tell "busy"
// (utmd's main loop is occupied, e.g. parsing a large feed) from "not answering" (utmd is
// stuck or stopped) even when the main loop cannot answer. The main thread stamps the time
// into shared memory every 250 ms and tells the worker which commands run; the worker answers
// every connection with one JSON line and closes it. Nothing is read from the client.
import { Worker } from 'node:worker_threads';
import { rm } from 'node:fs/promises';

export const LIVENESS_SOCKET_NAME = 'utmd.live.sock';

/** What the liveness socket answers. */
export interface LivenessAnswer {
  pid: number;
  /** ms since the main loop last ran (a blocked loop grows this). */
  mainLoopAgoMs: number;
  /** Commands the main loop was working on when it last said so. */
  running: Array<{ cmd: string; sinceMs: number }>;
}

// Plain JavaScript (eval'd), so it runs the same from src (tsx) and from dist.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const fs = require('node:fs');
const stamp = new BigInt64Array(workerData.shared);
let running = [];
parentPort.on('message', (m) => { if (m && Array.isArray(m.running)) running = m.running; });
const server = net.createServer((s) => {
  s.on('error', () => s.destroy());
  const now = Date.now();
  s.end(JSON.stringify({ pid: workerData.pid, mainLoopAgoMs: now - Number(Atomics.load(stamp, 0)),
    running: running.map((r) => ({ cmd: r.cmd, sinceMs: now - r.at })) }) + '\\n');
});
server.on('error', (e) => parentPort.postMessage({ error: String(e && e.message) }));
server.listen(workerData.path, () => { fs.chmodSync(workerData.path, 0o600); parentPort.postMessage({ listening: true }); });
`;

export class Liveness {
  private worker: Worker | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly shared = new SharedArrayBuffer(8);
  private readonly stamp = new BigInt64Array(this.shared);

  constructor(private readonly path: string) {}

  /** Starts the worker and its socket; rejects when the socket cannot be bound. */
  async start(): Promise<void> {
    await rm(this.path, { force: true });
    const beat = (): void => void Atomics.store(this.stamp, 0, BigInt(Date.now()));
    beat();
    this.timer = setInterval(beat, 250);
    this.timer.unref();
    const w = new Worker(WORKER, { eval: true, workerData: { shared: this.shared, path: this.path, pid: process.pid } });
    this.worker = w;
    w.unref();
    await new Promise<void>((resolve, reject) => {
      w.once('message', (m: { listening?: boolean; error?: string }) => (m.listening ? resolve() : reject(new Error(`liveness socket: ${m.error ?? 'failed'}`))));
      w.once('error', reject);
    });
  }

  /** Tells the worker which commands run now (their start as Date.now() ms). */
  running(list: Array<{ cmd: string; at: number }>): void {
    this.worker?.postMessage({ running: list });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
    await rm(this.path, { force: true });
  }
}
