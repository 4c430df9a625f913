// The IEEE registry as a compact index: prefix → organisation name. oui-data ships it as one
// JSON object of 53,730 prefixes (6, 7 or 9 hex digits), each valued "Name\naddress lines…":
// JSON.parse of its 5.6 MB kept ~10 MB in utmd's heap for good and passed ~30 MB more RSS while
// it parsed (2026-12-06), the first time an office device with a registered MAC was seen. We
// need the names only. So the file's bytes are scanned: each key, and its value up to the
// first "\n" escape; the names (30,665 different ones) go into one buffer, the keys into a
// sorted Float64Array: 1.6 MiB kept, mostly outside the heap. The file is a dependency's, but
// read as untrusted: anything that is not a flat object of hex keys and string values is
// refused (the address lines after a name are skipped over, their escapes not decoded).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export class OuiIndexError extends Error {
  override name = 'OuiIndexError';
}

/** Organisation names by prefix (upper-case hex: 9 digits MA-S, 7 MA-M, 6 MA-L). */
export interface OuiIndex {
  /** The name registered for exactly this prefix, trimmed (may be ''); undefined if none. */
  nameOf(prefix: string): string | undefined;
  readonly size: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const KEY_LENGTHS = new Set([6, 7, 9]);

/** A prefix as one number: its value and its length (so 00000C and 00000C0 differ). */
function keyOf(hex: string): number {
  return Number.parseInt(hex, 16) * 16 + hex.length;
}

function isHex(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
}

/** Builds the index from the registry's JSON bytes; throws OuiIndexError naming the offset. */
export function buildOuiIndex(json: Uint8Array): OuiIndex {
  const buf = Buffer.from(json.buffer, json.byteOffset, json.byteLength);
  let i = 0;
  const fail = (what: string): never => {
    throw new OuiIndexError(`OUI registry: ${what} at byte ${i}`);
  };
  const skipSpace = (): void => {
    while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i++;
  };
  const expect = (c: number, what: string): void => {
    skipSpace();
    if (buf[i] !== c) fail(`expected ${what}`);
    i++;
  };
  const keys: number[] = [];
  const nameIds: number[] = [];
  const ids = new Map<string, number>();
  expect(0x7b, '{');
  skipSpace();
  let more = buf[i] !== 0x7d;
  while (more) {
    expect(QUOTE, 'a key');
    const k0 = i;
    while (i < buf.length && buf[i] !== QUOTE) {
      if (!isHex(buf[i] ?? 0)) fail('a key that is not hex digits');
      i++;
    }
    if (i >= buf.length) fail('an unterminated key');
    const hex = buf.toString('latin1', k0, i).toUpperCase();
    if (!KEY_LENGTHS.has(hex.length)) fail(`a key of ${hex.length} digits`);
    i++;
    expect(0x3a, ':');
    expect(QUOTE, 'a string value');
    // the value up to its closing quote; the name ends at its first "\n" escape
    const v0 = i;
    let nameEnd = -1;
    while (i < buf.length && buf[i] !== QUOTE) {
      const b = buf[i] ?? 0;
      if (b < 0x20) fail('a control character in a value');
      if (b === BACKSLASH) {
        if (nameEnd < 0 && buf[i + 1] === 0x6e) nameEnd = i;
        i += 2;
      } else {
        i++;
      }
    }
    if (i >= buf.length) fail('an unterminated value');
    const raw = buf.toString('utf8', v0, nameEnd < 0 ? i : nameEnd);
    let name: string;
    try {
      // (a "\u000a" escape ends the name too, as the decoded value's first line)
      name = (raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string).split('\n')[0] ?? '' : raw).trim();
    } catch (e) {
      throw new OuiIndexError(`OUI registry: a bad escape in the value at byte ${v0}`, { cause: e });
    }
    i++;
    let id = ids.get(name);
    if (id === undefined) {
      id = ids.size;
      ids.set(name, id);
    }
    keys.push(keyOf(hex));
    nameIds.push(id);
    skipSpace();
    if (buf[i] === 0x2c) {
      i++;
    } else {
      more = false;
    }
  }
  expect(0x7d, '} or ,');
  skipSpace();
  if (i !== buf.length) fail('more after the object');
  return compact(keys, nameIds, [...ids.keys()]);
}

/** Sorted keys (the last of a repeated key wins, as in JSON.parse) and the names in one buffer. */
function compact(keys: number[], nameIds: number[], names: string[]): OuiIndex {
  const key = (n: number): number => keys[n] ?? -1;
  const order = keys.map((_, n) => n).sort((a, b) => key(a) - key(b) || a - b);
  const kept = order.filter((n, at) => at === order.length - 1 || key(order[at + 1] ?? -1) !== key(n));
  const sortedKeys = Float64Array.from(kept, key);
  const nameOfKey = Uint32Array.from(kept, (n) => nameIds[n] ?? 0);
  const encoded = names.map((s) => Buffer.from(s, 'utf8'));
  const offsets = new Uint32Array(names.length + 1);
  let end = 0;
  encoded.forEach((b, n) => { end += b.length; offsets[n + 1] = end; });
  return indexOf(sortedKeys, nameOfKey, offsets, Buffer.concat(encoded));
}

/** The lookup over the final arrays, in a scope of its own: a closure made in compact() would
 *  keep everything its helpers capture (the key list, the name buffers: ~1.8 MB of heap). */
function indexOf(sortedKeys: Float64Array, nameOfKey: Uint32Array, offsets: Uint32Array, text: Buffer): OuiIndex {
  return {
    size: sortedKeys.length,
    nameOf(prefix: string): string | undefined {
      if (!KEY_LENGTHS.has(prefix.length) || !/^[0-9A-F]+$/.test(prefix)) return undefined;
      const key = keyOf(prefix);
      let lo = 0;
      let hi = sortedKeys.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const k = sortedKeys[mid] ?? -1;
        if (k === key) {
          const id = nameOfKey[mid] ?? 0;
          return text.toString('utf8', offsets[id], offsets[id + 1]);
        }
        if (k < key) lo = mid + 1;
        else hi = mid - 1;
      }
      return undefined;
    },
  };
}

/** The registry oui-data ships, indexed. Throws if the package is missing or its file is refused. */
export function loadOuiIndex(): OuiIndex {
  const require = createRequire(import.meta.url);
  return buildOuiIndex(readFileSync(require.resolve('oui-data')));
}
