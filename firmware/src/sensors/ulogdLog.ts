// Pure classifier of ulogd2's own log lines ("Thu Nov 26 13:44:19 2026 <5> file.c:123 text").
// It finds readiness and the netlink-loss messages of the NFLOG and NFCT plugins.
//
// ulogd2 2.0.8 logs loss like this (strings from its plugins):
//   "We are losing events, increasing buffer size to %d"         — each doubling
//   "We are losing events. Please, consider using the clauses…"   — once, when no max is set
//   "Maximum buffer size (%d) in NFCT|NFLOG has been reached…"    — ONCE per plugin
// After the "Maximum … reached" line further losses are silent, so the sensor must treat
// that as a standing condition ("losing, amount unknown") and compare with `conntrack -S`.

export type UlogdLogLine =
  | { kind: 'ready' }
  | { kind: 'loss-growing'; bufferSize: number }
  | { kind: 'loss-unbounded' }
  | { kind: 'loss-max-reached'; plugin: 'NFCT' | 'NFLOG'; bufferSize: number }
  | { kind: 'error'; level: number; text: string }
  | { kind: 'other'; level: number | undefined };

const LINE = /^.*? <(\d)> (?:[\w.]+:\d+ )?(.*)$/;
const GROWING = /^We are losing events, increasing buffer size to (\d+)/;
const MAX = /^Maximum buffer size \((\d+)\) in (NFCT|NFLOG) has been reached/;

/** Classify one log line of ulogd2 (any text; never throws). */
export function classifyUlogdLine(line: string): UlogdLogLine {
  const m = LINE.exec(line);
  if (!m) return { kind: 'other', level: undefined };
  const level = Number(m[1]);
  const text = m[2] ?? '';
  if (text.startsWith('initialization finished, entering main loop')) return { kind: 'ready' };
  const g = GROWING.exec(text);
  if (g) return { kind: 'loss-growing', bufferSize: Number(g[1]) };
  if (text.startsWith('We are losing events.')) return { kind: 'loss-unbounded' };
  const x = MAX.exec(text);
  if (x) return { kind: 'loss-max-reached', plugin: x[2] as 'NFCT' | 'NFLOG', bufferSize: Number(x[1]) };
  if (level >= 7) return { kind: 'error', level, text: text.slice(0, 512) };
  return { kind: 'other', level };
}
