// MAC address helpers: normalise text, read the locally-administered ("randomised", private
// Wi-Fi address) and multicast bits, and look up the vendor in the IEEE registry through the
// `oui-data` package (MA-L 6 hex digits, MA-M 7, MA-S 9; longest prefix wins).
import { createRequire } from 'node:module';

export type OuiTable = Readonly<Record<string, string>>;

const SEPARATED = /^([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})$/;
const DOTTED = /^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/;
const BARE = /^[0-9a-f]{12}$/;

/** Normalises "AA-BB-CC-DD-EE-FF", "aabb.ccdd.eeff", "aabbccddeeff" or colon form to
 *  lower-case "aa:bb:cc:dd:ee:ff"; returns null for anything else. Never throws. */
export function normaliseMac(text: string): string | null {
  if (text.length > 32) return null;
  const t = text.trim().toLowerCase();
  let hex: string;
  const sep = SEPARATED.exec(t);
  if (sep) hex = sep.slice(1).map((p) => p.padStart(2, '0')).join('');
  else if (DOTTED.test(t)) hex = t.replace(/\./g, '');
  else if (BARE.test(t)) hex = t;
  else return null;
  return hex.match(/../g)!.join(':');
}

/** Formats 6 bytes as "aa:bb:cc:dd:ee:ff". Throws RangeError if fewer than 6 bytes. */
export function macFromBytes(b: Uint8Array, offset = 0): string {
  if (b.length < offset + 6) throw new RangeError('need 6 bytes for a MAC address');
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push(b[offset + i]!.toString(16).padStart(2, '0'));
  return parts.join(':');
}

function firstOctet(mac: string): number {
  return Number.parseInt(mac.slice(0, 2), 16);
}

/** True when the locally-administered bit is set: a private/randomised address (normalised MAC in). */
export function isLocallyAdministered(mac: string): boolean {
  return (firstOctet(mac) & 0x02) !== 0;
}

/** True when the group (multicast/broadcast) bit is set (normalised MAC in). */
export function isMulticast(mac: string): boolean {
  return (firstOctet(mac) & 0x01) !== 0;
}

export interface OuiLookup {
  /** Registered organisation for a normalised MAC; null for randomised, multicast or unknown. */
  vendorOf(mac: string): string | null;
  /** Whether the registry has been read (it is read on the first vendorOf call). */
  loaded(): boolean;
}

const VENDOR_MAX = 80;

/** The registry as shipped by oui-data (about 5.6 MB of JSON). Throws if the package is missing. */
export function loadOuiData(): OuiTable {
  const require = createRequire(import.meta.url);
  return require('oui-data') as OuiTable;
}

/** Builds a lookup that reads the registry lazily, once, through `load` (default: oui-data).
 *  Errors from `load` propagate from the first vendorOf call. */
export function createOuiLookup(load: () => OuiTable = loadOuiData): OuiLookup {
  let table: OuiTable | null = null;
  return {
    vendorOf(mac: string): string | null {
      if (isLocallyAdministered(mac) || isMulticast(mac)) return null;
      table ??= load();
      const hex = mac.replace(/:/g, '').toUpperCase();
      const entry = table[hex.slice(0, 9)] ?? table[hex.slice(0, 7)] ?? table[hex.slice(0, 6)];
      if (entry === undefined) return null;
      // The registry value is "Organisation\naddress lines…": keep the name only.
      const name = (entry.split('\n')[0] ?? '').trim();
      return name === '' ? null : name.slice(0, VENDOR_MAX);
    },
    loaded: () => table !== null,
  };
}
