// Minimal structured logger to stderr (journald picks it up on the appliance).
export interface Logger {
  info(msg: string, extra?: unknown): void;
  warn(msg: string, extra?: unknown): void;
  error(msg: string, err?: unknown): void;
}

/** Logs one line per message: time, level, text, and the error's message chain. */
export function stderrLogger(name = 'utmd', write: (s: string) => void = (s) => process.stderr.write(s)): Logger {
  const line = (level: string, msg: string, extra?: unknown): void => {
    let tail = '';
    if (extra instanceof Error) {
      const parts: string[] = [];
      for (let e: unknown = extra; e instanceof Error && parts.length < 4; e = e.cause) parts.push(e.message);
      tail = ` — ${parts.join(' ← ')}`;
    } else if (extra !== undefined) tail = ` ${JSON.stringify(extra)}`;
    write(`${new Date().toISOString()} ${name} ${level} ${msg}${tail}\n`);
  };
  return {
    info: (m, x) => line('info', m, x),
    warn: (m, x) => line('warn', m, x),
    error: (m, e) => line('error', m, e),
  };
}
