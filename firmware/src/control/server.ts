// Unix-socket control server inside utmd. Each line is one request; each handler gets
// validated args. The socket is created mode 0600: only root (the technician) may use it.
import { chmod, rm } from 'node:fs/promises';
import net from 'node:net';
import { CommandError, MAX_LINE, RequestSchema, type Response } from './protocol.js';

export type Handler = (args: Record<string, unknown>) => unknown;

export class ControlServer {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  readonly counts = { requests: 0, rejected: 0 };

  constructor(private readonly path: string, private readonly handlers: Record<string, Handler>) {}

  async start(): Promise<void> {
    await rm(this.path, { force: true });
    const server = net.createServer((s) => this.serve(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => resolve());
    });
    await chmod(this.path, 0o600);
    this.server = server;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const srv = this.server;
    this.server = null;
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
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
        void this.handle(line).then((r) => s.writable && s.write(JSON.stringify(r) + '\n'));
      }
    });
  }

  private async handle(line: string): Promise<Response> {
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
    try {
      return { id, ok: true, result: await h(args) };
    } catch (e) {
      if (e instanceof CommandError) return { id, ok: false, error: e.message, code: e.code };
      return { id, ok: false, error: `internal error: ${(e as Error).message}`, code: 'internal' };
    }
  }
}
