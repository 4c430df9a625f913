// UTC offsets of an IANA time zone, read from the system's tz database (TZif files, RFC 8536)
// instead of ICU. The page prints every time in the office's zone; doing that through
// Intl.DateTimeFormat mapped ~8 MB of ICU locale and zone data into utmd at the first page view,
// for good (issue 14: idle utmd ≤ 80 MB; README "Memory"). A TZif file is a few KB: its
// transitions, then (version 2 and later) a POSIX TZ string for every time after the last one.
// The files are the box's own (Debian's tzdata), but are parsed as untrusted input: every count
// and index is bounds-checked, and a file that fails any check gives no zone (the page then
// prints UTC and says so).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isTimeZoneName } from './timeZone.js';

export const ZONEINFO_DIR = '/usr/share/zoneinfo';
/** A real TZif file is at most ~100 KB (fat, with leap seconds); anything larger is refused. */
const MAX_TZIF_BYTES = 1 << 20;

export class ZoneError extends Error {
  override name = 'ZoneError';
}

/** A zone's rules: UTC offset in seconds (east positive) at a UTC time in seconds. */
export interface ZoneRules {
  offsetAt(utcSeconds: number): number;
}

/** When a POSIX TZ rule switches: a day of the year and a local time of day (seconds). */
type RuleDay = { kind: 'julian1'; n: number } | { kind: 'julian0'; n: number } | { kind: 'month'; m: number; w: number; d: number };
interface RuleEdge { day: RuleDay; time: number }

/** A POSIX TZ string: standard offset, and daylight saving with its two edges (if any). */
export interface PosixTz {
  stdOffset: number;
  dst: { offset: number; start: RuleEdge; end: RuleEdge } | null;
}

const DAY = 86_400;

/** Parses a POSIX TZ string as TZif footers carry it (RFC 8536 §3.3: hours up to 167, signed
 *  rule times). Throws ZoneError for anything else. */
export function parsePosixTz(s: string): PosixTz {
  let i = 0;
  const fail: (what: string) => never = (what) => {
    throw new ZoneError(`bad TZ string ${JSON.stringify(s.slice(0, 64))}: ${what} at ${i}`);
  };
  const name = (): void => {
    if (s[i] === '<') {
      const close = s.indexOf('>', i);
      if (close < 0 || !/^<[A-Za-z0-9+-]{3,}>$/.test(s.slice(i, close + 1))) fail('quoted name');
      i = close + 1;
      return;
    }
    const m = /^[A-Za-z]{3,}/.exec(s.slice(i));
    if (!m) fail('name');
    i += m[0].length;
  };
  // [+-]hh[:mm[:ss]], hours ≤ maxHours; returns seconds with its sign
  const hms = (maxHours: number): number => {
    const m = /^([+-]?)(\d{1,3})(?::(\d{2})(?::(\d{2}))?)?/.exec(s.slice(i));
    if (!m) fail('time');
    const h = Number(m[2]), mi = Number(m[3] ?? 0), se = Number(m[4] ?? 0);
    if (h > maxHours || mi > 59 || se > 59) fail('time out of range');
    i += m[0].length;
    return (m[1] === '-' ? -1 : 1) * (h * 3600 + mi * 60 + se);
  };
  const edge = (): RuleEdge => {
    if (s[i] !== ',') fail('","');
    i++;
    let day: RuleDay;
    const rest = s.slice(i);
    const mm = /^M(\d{1,2})\.(\d)\.(\d)/.exec(rest);
    const jj = /^J(\d{1,3})/.exec(rest);
    const nn = /^(\d{1,3})/.exec(rest);
    if (mm) {
      day = { kind: 'month', m: Number(mm[1]), w: Number(mm[2]), d: Number(mm[3]) };
      if (day.m < 1 || day.m > 12 || day.w < 1 || day.w > 5 || day.d > 6) fail('month rule');
      i += mm[0].length;
    } else if (jj) {
      day = { kind: 'julian1', n: Number(jj[1]) };
      if (day.n < 1 || day.n > 365) fail('Jn day');
      i += jj[0].length;
    } else if (nn) {
      day = { kind: 'julian0', n: Number(nn[1]) };
      if (day.n > 365) fail('n day');
      i += nn[0].length;
    } else {
      return fail('rule day');
    }
    let time = 2 * 3600;
    if (s[i] === '/') {
      i++;
      time = hms(167);
    }
    return { day, time };
  };
  name();
  const stdOffset = 0 - hms(24); // POSIX counts west of Greenwich as positive (0 - : never -0)
  if (i === s.length) return { stdOffset, dst: null };
  name();
  const offset = i < s.length && s[i] !== ',' ? 0 - hms(24) : stdOffset + 3600;
  // no rule after a daylight name: glibc's default, the United States' rules
  const rule = i < s.length;
  const start = rule ? edge() : { day: { kind: 'month', m: 3, w: 2, d: 0 } as const, time: 7200 };
  const end = rule ? edge() : { day: { kind: 'month', m: 11, w: 1, d: 0 } as const, time: 7200 };
  if (i !== s.length) fail('trailing text');
  return { stdOffset, dst: { offset, start, end } };
}

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days from 1970-01-01 to the rule's day in year `y`. */
function ruleDay(y: number, r: RuleDay): number {
  const jan1 = Date.UTC(y, 0, 1) / (DAY * 1000);
  if (r.kind === 'julian1') return jan1 + r.n - 1 + (isLeap(y) && r.n >= 60 ? 1 : 0);
  if (r.kind === 'julian0') return jan1 + r.n;
  const first = Date.UTC(y, r.m - 1, 1) / (DAY * 1000);
  const weekday = (first + 4) % 7; // 1970-01-01 was a Thursday
  let day = first + ((r.d - weekday + 7) % 7) + (r.w - 1) * 7;
  const len = (MONTH_DAYS[r.m - 1] ?? 31) + (r.m === 2 && isLeap(y) ? 1 : 0);
  while (day >= first + len) day -= 7; // w = 5: the last such weekday of the month
  return day;
}

/** The offset a POSIX TZ rule gives at a UTC time (seconds). */
export function posixOffsetAt(tz: PosixTz, t: number): number {
  const dst = tz.dst;
  if (!dst) return tz.stdOffset;
  const y = new Date((t + tz.stdOffset) * 1000).getUTCFullYear();
  // the edges of the year before, this one and the next, in UTC; an edge takes effect at its
  // instant, and where two meet (daylight time all year) the start wins
  const edges: Array<[number, number]> = [];
  for (const yy of [y - 1, y, y + 1]) {
    edges.push([ruleDay(yy, dst.end.day) * DAY + dst.end.time - dst.offset, tz.stdOffset]);
    edges.push([ruleDay(yy, dst.start.day) * DAY + dst.start.time - tz.stdOffset, dst.offset]);
  }
  edges.sort((a, b) => a[0] - b[0] || (a[1] === dst.offset ? 1 : -1));
  let off = tz.stdOffset;
  for (const [at, o] of edges) if (at <= t) off = o;
  return off;
}

/** Parses a TZif file (RFC 8536, versions 1 to 4). Throws ZoneError for a malformed one. */
export function parseTzif(bytes: Uint8Array): ZoneRules {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (at: number, n: number): void => {
    if (at + n > bytes.length) throw new ZoneError(`TZif file truncated at byte ${at} (${bytes.length} bytes)`);
  };
  const header = (at: number): { version: number; isut: number; isstd: number; leap: number; time: number; type: number; char: number } => {
    need(at, 44);
    if (view.getUint32(at) !== 0x545a6966) throw new ZoneError('not a TZif file (no "TZif" magic)');
    const v = view.getUint8(at + 4);
    const c = (k: number): number => view.getUint32(at + 20 + 4 * k);
    const h = { version: v === 0 ? 1 : v - 0x30, isut: c(0), isstd: c(1), leap: c(2), time: c(3), type: c(4), char: c(5) };
    if (h.version < 1 || h.version > 4) throw new ZoneError(`unknown TZif version ${v}`);
    if (h.type === 0 || h.type > 256 || h.char === 0 || (h.isut !== 0 && h.isut !== h.type) || (h.isstd !== 0 && h.isstd !== h.type)) {
      throw new ZoneError('TZif header counts are inconsistent');
    }
    return h;
  };
  const blockSize = (h: ReturnType<typeof header>, timeSize: number): number =>
    h.time * timeSize + h.time + h.type * 6 + h.char + h.leap * (timeSize + 4) + h.isstd + h.isut;

  const h1 = header(0);
  let h = h1, at = 44, timeSize = 4;
  if (h1.version >= 2) {
    at = 44 + blockSize(h1, 4);
    h = header(at);
    at += 44;
    timeSize = 8;
  }
  need(at, blockSize(h, timeSize));
  const times = new Float64Array(h.time);
  let prev = -Infinity;
  for (let k = 0; k < h.time; k++) {
    const tk = timeSize === 8 ? Number(view.getBigInt64(at + 8 * k)) : view.getInt32(at + 4 * k);
    if (tk <= prev) throw new ZoneError('TZif transitions are not in ascending order');
    times[k] = prev = tk;
  }
  at += h.time * timeSize;
  const typeOf = bytes.subarray(at, at + h.time);
  if (typeOf.some((x) => x >= h.type)) throw new ZoneError('a TZif transition names a type that does not exist');
  at += h.time;
  const offsets = new Int32Array(h.type);
  for (let k = 0; k < h.type; k++) {
    const off = view.getInt32(at + 6 * k);
    if (off < -89_999 || off > 93_599) throw new ZoneError(`TZif offset ${off} s is out of range`);
    offsets[k] = off;
  }
  at += blockSize(h, timeSize) - h.time * timeSize - h.time;
  let footer: PosixTz | null = null;
  if (h.version >= 2) {
    // "\n" TZ-string "\n"; an empty string says: no rule after the last transition
    const end = bytes.indexOf(0x0a, at + 1);
    if (bytes[at] !== 0x0a || end < 0) throw new ZoneError('TZif footer is missing');
    const text = Buffer.from(bytes.subarray(at + 1, end)).toString('latin1');
    if (text !== '') footer = parsePosixTz(text);
  }
  const last = times.length - 1;
  // indices below are in bounds (checked above): `?? 0` only satisfies the type checker
  const first = offsets[0] ?? 0;
  return {
    offsetAt(t: number): number {
      if (last < 0 || t >= (times[last] ?? 0)) {
        if (footer) return posixOffsetAt(footer, t);
        if (last < 0) return first;
      }
      if (t < (times[0] ?? 0)) return first; // before the first transition: type 0 (RFC 8536)
      let lo = 0, hi = last; // the last transition at or before t
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((times[mid] ?? 0) <= t) lo = mid;
        else hi = mid - 1;
      }
      return offsets[typeOf[lo] ?? 0] ?? first;
    },
  };
}

/** A zone as the page uses it: its name, whether its rules were found (false: UTC is used, and
 *  the page says so), and its offset in milliseconds at a UTC time in milliseconds. */
export interface Zone {
  readonly name: string;
  readonly known: boolean;
  offsetMs(utcMs: number): number;
}

/** The rules of `name` from `dir`: its TZif file, or, for a link the box's tzdata leaves out
 *  (Debian 13 moved "Japan", "US/Eastern", … to tzdata-legacy), its target's, as tzdata.zi
 *  names it. Throws ZoneError or a file system error. */
function readRules(name: string, dir: string): ZoneRules {
  const read = (n: string): ZoneRules => {
    const bytes = readFileSync(join(dir, n));
    if (bytes.length > MAX_TZIF_BYTES) throw new ZoneError(`${n}: ${bytes.length} bytes is too large for a TZif file`);
    return parseTzif(bytes);
  };
  try {
    return read(name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    const zi = readFileSync(join(dir, 'tzdata.zi'), 'latin1');
    const target = new RegExp(`^L (\\S+) ${name.replace(/[^A-Za-z0-9]/g, '\\$&')}$`, 'm').exec(zi)?.[1];
    if (target === undefined || !isTimeZoneName(target)) throw e;
    return read(target);
  }
}

const zones = new Map<string, Zone>();

/** The zone `name` (an IANA name: Asia/Tokyo, Japan, UTC), its rules read once from `dir`.
 *  A name that is not on the list, or whose rules cannot be read, gives UTC, marked unknown. */
export function zoneNamed(name: string, dir: string = ZONEINFO_DIR): Zone {
  const utc = (): Zone => ({ name, known: false, offsetMs: () => 0 });
  if (!isTimeZoneName(name)) return utc(); // not cached: the cache holds at most the list's names
  const key = `${dir}\0${name}`;
  let z = zones.get(key);
  if (!z) {
    try {
      const r = readRules(name, dir);
      z = { name, known: true, offsetMs: (ms) => r.offsetAt(Math.floor(ms / 1000)) * 1000 };
    } catch {
      z = utc();
    }
    zones.set(key, z);
  }
  return z;
}
