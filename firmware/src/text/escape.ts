// Terminal escaping for utmctl output. Hostnames, vendor classes and labels come from
// whoever plugs a device in; printed raw they could move the cursor, recolour or clear the
// technician's screen (ESC/CSI/OSC sequences) or reorder text (bidi overrides).
// HTML and syslog structured-data escaping live with their own output layers.

// C0 controls, DEL, C1 controls; bidi embeddings/overrides/isolates and marks; line and
// paragraph separators; zero-width and BOM characters that hide text.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;

function visible(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, '0')}`;
  return `\\u{${cp.toString(16)}}`;
}

/** Returns s with every control, C1, escape and bidi character replaced by a visible
 *  `\xHH` / `\u{HHHH}` escape, cut to maxChars code points (marked with "…"). Never throws. */
export function forTerminal(s: string, maxChars = 256): string {
  const chars = Array.from(s);
  const cut = chars.length > maxChars;
  const body = (cut ? chars.slice(0, maxChars).join('') : s)
    // Lone surrogates cannot be printed faithfully: show them as escapes too.
    .replace(/[\ud800-\udfff]/gu, visible)
    .replace(UNSAFE, visible);
  return cut ? `${body}…` : body;
}
