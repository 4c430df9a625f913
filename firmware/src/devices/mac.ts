// The vendor of a MAC address from the IEEE registry through the `oui-data` package (MA-L 6 hex
// digits, MA-M 7, MA-S 9; longest prefix wins). Reading and writing MACs is net/mac.ts.
import { createRequire } from 'node:module';
import { isLocallyAdministered, isMulticast } from '../net/mac.js';

export type OuiTable = Readonly<Record<string, string>>;

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
