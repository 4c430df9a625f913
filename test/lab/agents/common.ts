// Shared bits of the small helper programs the lab runs inside namespaces: exit when the
// parent's stdin pipe closes (so a killed lab never leaves them behind) and parse endpoints.

/** Exits the process when stdin reaches EOF (the lab process that started us is gone). */
export function exitWithParent(onExit: () => void = () => undefined): void {
  if (process.stdin.isTTY) return;
  process.stdin.on('data', () => undefined);
  process.stdin.on('end', () => {
    onExit();
    process.exit(0);
  });
  process.stdin.on('error', () => process.exit(0));
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      onExit();
      process.exit(0);
    });
  }
}

export type Endpoint = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/** Parses `unix:/path` or `tcp:HOST:PORT` (HOST may be an IPv6 literal); throws RangeError. */
export function parseEndpoint(s: string): Endpoint {
  if (s.startsWith('unix:')) return { kind: 'unix', path: s.slice(5) };
  const m = /^tcp:(.+):(\d{1,5})$/.exec(s);
  if (m?.[1] !== undefined && m[2] !== undefined) {
    return { kind: 'tcp', host: m[1].replace(/^\[(.*)\]$/, '$1'), port: Number(m[2]) };
  }
  throw new RangeError(`bad endpoint ${JSON.stringify(s)} (want unix:PATH or tcp:HOST:PORT)`);
}
