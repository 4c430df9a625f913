// IPv4 prefixes on plain numbers (an address is a uint32 held in a JS number): the
// iprange-style split of a range into prefixes, and netmasks as nft writes them. The bigint
// twin for any family is net/ip.ts rangeToCidrs; this one costs no allocation per prefix,
// which matters at a million entries. Pure.
import { formatAddress, type Family } from './ip.js';

/** Calls `emit(network, prefixLen)` for the minimal list of prefixes that covers
 *  `first`..`last` (inclusive, 0 ≤ first ≤ last ≤ 2^32 − 1), in address order. */
export function forEachCidrV4(first: number, last: number, emit: (net: number, len: number) => void): void {
  let cur = first;
  while (cur <= last) {
    // the largest block aligned at `cur` that does not pass `last`
    let hostBits = 0;
    while (hostBits < 32) {
      const size = 2 ** (hostBits + 1);
      if (cur % size !== 0 || cur + size - 1 > last) break;
      hostBits++;
    }
    emit(cur, 32 - hostBits);
    cur += 2 ** hostBits;
  }
}

/** How many prefixes forEachCidrV4 emits for the range, by prefix length (index 0..32). */
export function countCidrsV4(first: number, last: number, counts: Float64Array | number[]): void {
  forEachCidrV4(first, last, (_net, len) => {
    counts[len] = (counts[len] ?? 0) + 1;
  });
}

/** The netmask of a prefix length as nft's address text: `255.255.255.0`, `ffff:ffff::`. */
export function netmaskText(family: Family, len: number): string {
  const bits = family === 4 ? 32 : 128;
  if (!Number.isInteger(len) || len < 0 || len > bits) throw new RangeError(`prefix length ${len} out of range for IPv${family}`);
  const all = (1n << BigInt(bits)) - 1n;
  return formatAddress(family, all ^ ((1n << BigInt(bits - len)) - 1n));
}
