// The vendor of a MAC address from the IEEE registry through the `oui-data` package (MA-L 6 hex
// digits, MA-M 7, MA-S 9; longest prefix wins), read into a compact index (devices/ouiIndex.ts).
// Reading and writing MACs is net/mac.ts.
import { isLocallyAdministered, isMulticast } from '../net/mac.js';
import { loadOuiIndex, type OuiIndex } from './ouiIndex.js';

export interface OuiLookup {
  /** Registered organisation for a normalised MAC; null for randomised, multicast or unknown. */
  vendorOf(mac: string): string | null;
  /** Whether the registry has been read (it is read on the first vendorOf call). */
  loaded(): boolean;
}

const VENDOR_MAX = 80;

/** Builds a lookup that reads the registry lazily, once, through `load` (default: oui-data's).
 *  Errors from `load` propagate from the first vendorOf call. */
export function createOuiLookup(load: () => OuiIndex = loadOuiIndex): OuiLookup {
  let table: OuiIndex | null = null;
  return {
    vendorOf(mac: string): string | null {
      if (isLocallyAdministered(mac) || isMulticast(mac)) return null;
      table ??= load();
      const hex = mac.replace(/:/g, '').toUpperCase();
      const name = table.nameOf(hex.slice(0, 9)) ?? table.nameOf(hex.slice(0, 7)) ?? table.nameOf(hex.slice(0, 6));
      return name === undefined || name === '' ? null : name.slice(0, VENDOR_MAX);
    },
    loaded: () => table !== null,
  };
}
