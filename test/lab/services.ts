// Services and probes for lab tests: an HTTP file server and TCP listeners on "internet"
// hosts, and TCP/ping probes that report pass or drop from any namespace.
import { z } from 'zod';
import type { Lab } from './lab.js';
import { execInResult } from './netns.js';
import type { LabProcess } from './process.js';
import { run } from './run.js';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from './lab.js';

/** Deadline for a helper process to come up; generous because CI machines may be heavily loaded. */
export const STARTUP_TIMEOUT_MS = 60_000;

/** `ADDR:PORT` with IPv6 literals bracketed. */
export function hostPort(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

export interface HttpServer {
  proc: LabProcess;
  /** Base URL, e.g. `http://192.0.2.53:8080/`. */
  url: string;
  /** Lines `METHOD PATH STATUS` of requests served so far. */
  requests(): string[];
  stop(): Promise<void>;
}

/** Serves the files in dir over HTTP at addr:port inside ns until stopped or the lab is destroyed. */
export async function startHttpServer(lab: Lab, ns: string, addr: string, port: number, dir: string): Promise<HttpServer> {
  const proc = await lab.spawnAgent(ns, 'httpServe', [addr, String(port), dir]);
  await proc.waitForOutput((s) => s.includes('listening'), { what: `http server on ${hostPort(addr, port)}`, timeoutMs: STARTUP_TIMEOUT_MS });
  return {
    proc,
    url: `http://${hostPort(addr, port)}/`,
    requests: () => linesAfter(proc.stdout(), 'request '),
    stop: () => proc.stop(),
  };
}

export interface TcpAccept {
  local: string;
  port: number;
  remote: string;
}

export interface TcpListener {
  proc: LabProcess;
  /** Connections accepted so far. */
  accepted(): TcpAccept[];
  stop(): Promise<void>;
}

/** Accepts TCP connections on every (addr, port) inside ns; each accept is recorded. */
export async function startTcpListener(lab: Lab, ns: string, endpoints: readonly { addr: string; port: number }[]): Promise<TcpListener> {
  const proc = await lab.spawnAgent(ns, 'tcpListen', endpoints.map((e) => hostPort(e.addr, e.port)));
  await proc.waitForOutput((s) => linesAfter(s, 'listening ').length >= endpoints.length, { what: 'tcp listener', timeoutMs: STARTUP_TIMEOUT_MS });
  return {
    proc,
    accepted: () => linesAfter(proc.stdout(), 'accept ').map((l) => {
      const [local = '', port = '', remote = ''] = l.split(' ');
      return { local, port: Number(port), remote };
    }),
    stop: () => proc.stop(),
  };
}

function linesAfter(text: string, prefix: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
}

const ProbeLineSchema = z.strictObject({
  target: z.string().describe('ADDR:PORT as given'),
  outcome: z.enum(['connected', 'refused', 'timeout', 'unreachable', 'error']).describe('what happened'),
  code: z.string().optional().describe('errno code, when the connection failed with one'),
  ms: z.number().describe('time taken'),
});
export type ProbeResult = z.infer<typeof ProbeLineSchema>;

/** Tries TCP connections from ns to every target at once (results in target order); optionally uploads sendBytes on each. */
export async function tcpProbe(ns: string, targets: readonly { addr: string; port: number }[], opts: { timeoutMs?: number; sendBytes?: number } = {}): Promise<ProbeResult[]> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const script = fileURLToPath(new URL('./agents/probe.ts', import.meta.url));
  const out = await run(['ip', 'netns', 'exec', ns, process.execPath, '--import', 'tsx', script, '--timeout', String(timeoutMs),
    ...(opts.sendBytes ? ['--send', String(opts.sendBytes)] : []), ...targets.map((t) => hostPort(t.addr, t.port))],
  { cwd: REPO_ROOT, timeoutMs: timeoutMs + 60_000 });
  return out.split('\n').filter((l) => l !== '').map((l) => ProbeLineSchema.parse(JSON.parse(l)));
}

/** True when a TCP connection from ns to addr:port is established within timeoutMs (a drop gives false). */
export async function tcpConnect(fromNs: string, addr: string, port: number, timeoutMs = 2000): Promise<boolean> {
  const [r] = await tcpProbe(fromNs, [{ addr, port }], { timeoutMs });
  return r?.outcome === 'connected';
}

/** True when one ICMP echo from ns to addr is answered within timeoutMs (rounded up to seconds). */
export async function ping(fromNs: string, addr: string, timeoutMs = 2000): Promise<boolean> {
  const r = await execInResult(fromNs, ['ping', '-n', '-q', '-c', '1', '-W', String(Math.max(1, Math.ceil(timeoutMs / 1000))), addr],
    { timeoutMs: timeoutMs + 5000 });
  return r.code === 0;
}
