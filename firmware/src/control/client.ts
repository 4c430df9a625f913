// utmctl's side of the control socket: one request, one answer. utmd acknowledges a request
// at once and sends progress notes while it works, so within SILENCE_MS utmctl knows which
// of these it is: not running (no socket, refused), not answering (connected, silent), busy
// (alive, still working), or the answer. When utmd's main loop is too occupied to answer at
// all (a large feed being parsed), the liveness file next to the control socket and the
// kernel's view of utmd's main thread say so (liveness.ts): that is "busy" too, not "not answering".
import net from 'node:net';
import { dirname, join } from 'node:path';
import { LIVENESS_FILE_NAME, readLiveness, type LivenessAnswer } from './liveness.js';
import { MAX_LINE, SILENCE_MS, type Progress, type ServerLine } from './protocol.js';

/** Time kept from the silence budget to ask the kernel about utmd's main thread. */
const PROBE_MS = 500;
/** A second look this much later: a free loop caught running a timer is asleep in epoll again. */
const SECOND_LOOK_MS = 50;

/** Asks whether utmd's main thread is occupied (liveness.ts); null when no utmd of the liveness
 *  file at `path` is alive. Occupied only when two looks SECOND_LOOK_MS apart both say so. */
export async function probeLiveness(path: string): Promise<LivenessAnswer | null> {
  const first = await readLiveness(path);
  if (!first?.occupied) return first;
  await new Promise((r) => setTimeout(r, SECOND_LOOK_MS));
  return readLiveness(path);
}

/** No socket, or nobody listening on it: utmd is not running. */
export class NotRunningError extends Error {
  override name = 'NotRunningError';
}

/** Connected (or connecting), but utmd said nothing within the silence limit: stuck or overloaded. */
export class NotAnsweringError extends Error {
  override name = 'NotAnsweringError';
}

/** utmd is alive and still working on the command when utmctl stopped waiting. */
export class BusyError extends Error {
  override name = 'BusyError';
  constructor(message: string, readonly progress: Progress['progress']) {
    super(message);
  }
}

export class RemoteError extends Error {
  override name = 'RemoteError';
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

export interface CallOptions {
  /** Longest wait for the answer while utmd reports progress (default 120 s). */
  deadlineMs?: number | undefined;
  /** Longest silence (no connect, no line) before "not answering" (default SILENCE_MS). */
  silenceMs?: number | undefined;
  /** Called once when utmd has acknowledged but not answered within the silence limit. */
  onBusy?: ((p: Progress['progress']) => void) | undefined;
  /** utmd's liveness file (default: LIVENESS_FILE_NAME next to `path`). */
  livenessPath?: string | undefined;
}

/**
 * Sends one command and resolves with its result. Rejects NotRunningError, NotAnsweringError,
 * BusyError (deadline passed while utmd kept reporting progress) or RemoteError (refused).
 */
export function call(path: string, cmd: string, args: Record<string, unknown> = {}, o: CallOptions = {}): Promise<unknown> {
  const silenceMs = o.silenceMs ?? SILENCE_MS;
  const deadlineMs = o.deadlineMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const s = net.createConnection(path);
    let buf = '';
    let last: Progress['progress'] | null = null;
    let busyTold = false;
    let liveGrace = false;
    let done = false;
    const finish = (f: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(silence);
      clearTimeout(deadline);
      clearTimeout(busyTimer);
      s.destroy();
      f();
    };
    const livePath = o.livenessPath ?? join(dirname(path), LIVENESS_FILE_NAME);
    const waitMs = Math.max(100, silenceMs - PROBE_MS);
    const sentAt = Date.now();
    // Silence on the control socket: ask the kernel whether utmd's main loop is merely occupied.
    const silent = (): void => {
      void probeLiveness(livePath).then((live) => {
        if (done) return;
        if (live?.occupied) {
          const busy = live.running[0];
          last = { cmd, elapsedMs: Date.now() - sentAt, running: live.running.filter((r) => r !== busy).map((r) => ({ cmd: r.cmd, elapsedMs: r.sinceMs })) };
          if (busy) last = { ...last, cmd: busy.cmd, elapsedMs: busy.sinceMs };
          if (!busyTold) {
            busyTold = true;
            o.onBusy?.(last);
          }
          silence = setTimeout(silent, waitMs);
          return;
        }
        // The main loop is running (it may have just been freed, with our answer still queued
        // behind the command that held it): give it one more silence window before saying so.
        if (live && !liveGrace) {
          liveGrace = true;
          silence = setTimeout(silent, waitMs);
          return;
        }
        finish(() => reject(last
          ? new NotAnsweringError(`utmd stopped answering while working on ${cmd} (silent for ${silenceMs / 1000} s)`)
          : new NotAnsweringError(`utmd is running but did not answer within ${silenceMs / 1000} s`)));
      });
    };
    let silence = setTimeout(silent, waitMs);
    const deadline = setTimeout(() => finish(() => reject(new BusyError(
      `utmd is busy: still working on ${cmd} after ${Math.round(deadlineMs / 1000)} s (it carries on; see utmctl status later)`,
      last ?? { cmd, elapsedMs: deadlineMs, running: [] }))), deadlineMs);
    const busyTimer = setTimeout(() => {
      if (last && !busyTold) {
        busyTold = true;
        o.onBusy?.(last);
      }
    }, silenceMs);
    s.setEncoding('utf8');
    s.on('connect', () => s.write(JSON.stringify({ id: 1, cmd, args }) + '\n'));
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') finish(() => reject(new NotRunningError(`utmd is not running (nobody listens on ${path})`, { cause: e })));
      else if (e.code === 'EAGAIN') finish(() => reject(new NotAnsweringError('utmd is running but its control socket is full (not accepting)', { cause: e })));
      else finish(() => reject(e));
    });
    s.on('close', () => finish(() => reject(new NotAnsweringError(`utmd closed the connection without answering ${cmd}`))));
    s.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > 64 * MAX_LINE) return finish(() => reject(new RemoteError('answer too large', 'too_large')));
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let r: ServerLine;
        try {
          r = JSON.parse(line) as ServerLine;
        } catch {
          return finish(() => reject(new RemoteError('utmd sent a line that is not JSON', 'bad_answer')));
        }
        clearTimeout(silence);
        silence = setTimeout(silent, waitMs);
        liveGrace = false;
        if ('progress' in r) {
          last = r.progress;
          continue;
        }
        if (r.ok) return finish(() => resolve(r.result));
        return finish(() => reject(new RemoteError(r.error, r.code)));
      }
    });
  });
}

/** call() on the first of `paths` where utmd listens (the state dir's socket, then the runtime
 *  dir's, where utmd listens when the state dir cannot be written). Only "not running" moves on
 *  to the next path: no request was sent then, so nothing runs twice. */
export async function callAny(paths: readonly string[], cmd: string, args: Record<string, unknown> = {}, o: CallOptions = {}): Promise<unknown> {
  for (const [i, path] of paths.entries()) {
    try {
      return await call(path, cmd, args, o);
    } catch (e) {
      if (!(e instanceof NotRunningError) || i === paths.length - 1) {
        if (e instanceof NotRunningError && paths.length > 1) throw new NotRunningError(`utmd is not running (nobody listens on ${paths.join(' or ')})`, { cause: e });
        throw e;
      }
    }
  }
  throw new NotRunningError('utmd is not running (no control socket given)');
}
