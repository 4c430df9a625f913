// One way to show a certificate fingerprint: colon-separated upper-case pairs, as
// `openssl x509 -fingerprint -sha256` prints it, so a technician can compare the two by eye.

/** "AB:CD:…" from hex (anything not hex is dropped); '-' when nothing is left. */
export function fingerprintText(hex: string | null | undefined): string {
  const clean = (hex ?? '').replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  return clean ? (clean.match(/.{1,2}/g) ?? []).join(':') : '-';
}
