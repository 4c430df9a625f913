// Big-endian reads from byte arrays, shared by the wire decoders (pcap frames, DHCP, DNS).
// Each decoder checks the length before it reads; a byte past the end reads as 0, which is
// what the bit arithmetic on `b[i]` (undefined → 0) gave before these helpers existed.

/** The byte at `o`, or 0 past the end. */
export function u8(b: Uint8Array, o: number): number {
  return b[o] ?? 0;
}

/** The unsigned 16-bit big-endian number at `o` (bytes past the end read as 0). */
export function u16(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
}

/** The unsigned 32-bit big-endian number at `o` (bytes past the end read as 0). */
export function u32(b: Uint8Array, o: number): number {
  return (((b[o] ?? 0) << 24) >>> 0) + ((b[o + 1] ?? 0) << 16) + ((b[o + 2] ?? 0) << 8) + (b[o + 3] ?? 0);
}
