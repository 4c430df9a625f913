// DNS names and host labels as the box reads and writes them: lower case, no trailing dot,
// letters, digits and hyphens (RFC 1123), so a name can go into a dnsmasq config line as is.
// The one place such names are checked: config fields, dnsmasq rendering, host-name policy.

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A host label (`keiri-pc`) in canonical form, or null when it is not one. Case and one
 *  trailing dot are forgiven (`Keiri-PC.` → `keiri-pc`). Never throws. */
export function normaliseLabel(s: string): string | null {
  const t = s.endsWith('.') ? s.slice(0, -1) : s;
  const l = t.toLowerCase();
  return LABEL.test(l) ? l : null;
}

/** A domain name (`lan`, `nas.example.jp`) in canonical form, or null. At most 253
 *  characters; every label valid. Never throws. */
export function normaliseDomain(s: string): string | null {
  const t = (s.endsWith('.') ? s.slice(0, -1) : s).toLowerCase();
  if (t.length === 0 || t.length > 253) return null;
  return t.split('.').every((l) => LABEL.test(l)) ? t : null;
}

/** The label a DHCP server registers for a client-supplied host name, the way dnsmasq reads
 *  it: one trailing dot dropped, the part before the first dot kept (`wpad.evil.example` →
 *  `wpad`), compared without case. Null when dnsmasq would not take the name at all
 *  (characters outside letters, digits, `-`, `_`). Never throws. */
export function registeredLabel(raw: string): string | null {
  const t = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  const first = t.split('.')[0] ?? '';
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/.test(first)) return null;
  return first.toLowerCase();
}
