// Unix-socket control server inside utmd. Each line is one request; each handler gets
// validated args. The socket is created mode 0600: only root (the technician) may use it.
import { chmod, rm } from 'node:fs/promises';
import net from 'node:net';
import { CommandError, MAX_LINE, PROGRESS_EVERY_MS, RequestSchema, type Progress, type Response } from './protocol.js';
import { Liveness } from './liveness.js';
import { errorMessage } from '../errors/errorText.js';

export type Handler = (args: Record<string, unknown>) => unknown;

export class ControlServer {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  readonly counts = { requests: 0, rejected: 0 };
  /** Commands being worked on, with their start (performance.now()). */
  private readonly running = new Set<{ cmd: string; at: number; wall: number }>();
  private liveness: Liveness | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();

  /** `livenessPath`: the file that lets utmctl tell a blocked main loop from a stuck one (liveness.ts). */
  constructor(readonly path: string, private readonly handlers: Record<string, Handler>, private readonly livenessPath?: string) {}

  async start(): Promise<void> {
    await rm(this.path, { force: true });
    const server = net.createServer((s) => this.serve(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => resolve());
    });
    await chmod(this.path, 0o600);
    this.server = server;
    if (this.livenessPath) {
      this.liveness = new Liveness(this.livenessPath);
      this.liveness.start();
    }
  }

  private tellLiveness(): void {
    this.liveness?.running([...this.running].map((r) => ({ cmd: r.cmd, at: r.wall })));
  }

  /** Commands in progress now (shown by `utmctl status`). */
  inProgress(): Array<{ cmd: string; elapsedMs: number }> {
    const now = performance.now();
    return [...this.running].map((r) => ({ cmd: r.cmd, elapsedMs: Math.round(now - r.at) }));
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    const srv = this.server;
    this.server = null;
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
    this.liveness?.stop();
    this.liveness = null;
    await rm(this.path, { force: true });
  }

  private serve(s: net.Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => s.destroy());
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_LINE) {
        this.counts.rejected++;
        s.end(JSON.stringify({ id: 0, ok: false, error: 'request too large', code: 'too_large' }) + '\n');
        return;
      }
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        void this.handle(line, (p) => s.writable && s.write(JSON.stringify(p) + '\n')).then((r) => s.writable && s.write(JSON.stringify(r) + '\n'));
      }
    });
  }

  private async handle(line: string, progress: (p: Progress) => void): Promise<Response> {
    this.counts.requests++;
    let parsed;
    try {
      parsed = RequestSchema.safeParse(JSON.parse(line));
    } catch {
      this.counts.rejected++;
      return { id: 0, ok: false, error: 'not JSON', code: 'bad_request' };
    }
    if (!parsed.success) {
      this.counts.rejected++;
      return { id: 0, ok: false, error: 'malformed request', code: 'bad_request' };
    }
    const { id, cmd, args } = parsed.data;
    const h = this.handlers[cmd];
    if (!h) return { id, ok: false, error: `unknown command ${cmd}`, code: 'unknown_command' };
    // Tell the client at once that the request is being worked on, and keep telling it.
    const me = { cmd, at: performance.now(), wall: Date.now() };
    this.running.add(me);
    this.tellLiveness();
    const note = (): void => {
      const now = performance.now();
      const others = [...this.running].filter((r) => r !== me).map((r) => ({ cmd: r.cmd, elapsedMs: Math.round(now - r.at) }));
      progress({ id, progress: { cmd, elapsedMs: Math.round(now - me.at), running: others } });
    };
    note();
    const timer = setInterval(note, PROGRESS_EVERY_MS);
    this.timers.add(timer);
    try {
      return { id, ok: true, result: await h(args) };
    } catch (e) {
      if (e instanceof CommandError) return { id, ok: false, error: e.message, code: e.code };
      return { id, ok: false, error: `internal error: ${errorMessage(e)}`, code: 'internal' };
    } finally {
      clearInterval(timer);
      this.timers.delete(timer);
      this.running.delete(me);
      this.tellLiveness();
    }
  }
}
