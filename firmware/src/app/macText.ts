// MAC address text as typed by a technician (aa-bb-.., AA:BB:..) → lower-case aa:bb:cc:dd:ee:ff.
const MAC = /^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i;

/** Normalised MAC, or undefined when `s` is not one. */
export function normaliseMac(s: string): string | undefined {
  return MAC.test(s) ? s.toLowerCase().replaceAll('-', ':') : undefined;
}
