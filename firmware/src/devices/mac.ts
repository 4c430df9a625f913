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
 *  An error from `load` is thrown by that vendorOf call and every later one, without reading
 *  again: a missing or refused registry does not change until an update restarts utmd, and a
 *  corrupt 5.6 MB file would otherwise be scanned again (~100 ms) at every registered MAC. */
export function createOuiLookup(load: () => OuiIndex = loadOuiIndex): OuiLookup {
  let table: OuiIndex | null = null;
  let failed: Error | null = null;
  return {
    vendorOf(mac: string): string | null {
      if (isLocallyAdministered(mac) || isMulticast(mac)) return null;
      if (failed) throw failed;
      try {
        table ??= load();
      } catch (e) {
        failed = e instanceof Error ? e : new Error(String(e));
        throw failed;
      }
      const hex = mac.replace(/:/g, '').toUpperCase();
      const name = table.nameOf(hex.slice(0, 9)) ?? table.nameOf(hex.slice(0, 7)) ?? table.nameOf(hex.slice(0, 6));
      return name === undefined || name === '' ? null : name.slice(0, VENDOR_MAX);
    },
    loaded: () => table !== null,
  };
}
