// utmctl's side of the control socket: one request, one answer, with a deadline.
import net from 'node:net';
import { MAX_LINE, type Response } from './protocol.js';

export class NotRunningError extends Error {
  override name = 'NotRunningError';
}

export class RemoteError extends Error {
  override name = 'RemoteError';
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

/** Sends one command; throws NotRunningError when utmd does not answer, RemoteError on refusal. */
export function call(path: string, cmd: string, args: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection(path);
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new NotRunningError(`utmd did not answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    s.setEncoding('utf8');
    s.on('connect', () => s.write(JSON.stringify({ id: 1, cmd, args }) + '\n'));
    s.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') reject(new NotRunningError(`utmd is not running (no answer on ${path})`, { cause: e }));
      else reject(e);
    });
    s.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > 64 * MAX_LINE) {
        s.destroy();
        reject(new RemoteError('answer too large', 'too_large'));
      }
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      s.end();
      const r = JSON.parse(buf.slice(0, nl)) as Response;
      if (r.ok) resolve(r.result);
      else reject(new RemoteError(r.error, r.code));
    });
  });
}
