// Time zone names checked without ICU. Building an Intl.DateTimeFormat for a zone maps ~8 MB of
// ICU locale and zone data into utmd for good (measured 2026-12-06 in a bare process, under
// this machine's node and under the image's), so a provisioning bundle's timeZone is checked
// against the names ICU accepted when timeZoneNames.ts was generated (test/tools/timeZoneNames.ts).
import { TIME_ZONE_NAMES_TEXT } from './timeZoneNames.js';

let names: ReadonlySet<string> | undefined;

/** True for an IANA time zone name (a zone or a link, e.g. "Asia/Tokyo", "Japan", "UTC"). */
export function isTimeZoneName(name: string): boolean {
  names ??= new Set(TIME_ZONE_NAMES_TEXT.split(' '));
  return names.has(name);
}
