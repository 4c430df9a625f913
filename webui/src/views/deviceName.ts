// How a device is named on the page. What a device says about itself (DHCP hostname, vendor
// class, FQDN) is data from whoever plugged it in: controls, escapes and bidi overrides are
// shown as visible escapes (the one neutraliser, firmware/src/text/escape.ts), the text is
// isolated (<bdi>) and set apart as "the name the device gave itself", while a staff label is
// marked as a staff label. A hostname posing as a label (「経理のパソコン（承認済み）」) thus
// still reads as something the device claimed.

/** What naming a device needs (a Device has all of it; the report passes less). */
export interface NameableDevice {
  label: string | null;
  hostname: string | null;
  deviceType: string;
  osName?: string | undefined;
  vendor?: string | null | undefined;
}
import { forTerminal } from '../../../firmware/src/text/escape.js';
import { html, type Html } from '../html/html.js';
import { DEVICE_WORDS } from '../i18n/devices.js';
import { OFFICE_WORDS } from '../i18n/office.js';
import type { Lang } from '../i18n/types.js';

const SHOWN_CHARS = 64;

/** Device-given text made inert for display: controls/bidi as visible escapes, cut to 64 characters. */
export function deviceGivenText(s: string): string {
  return forTerminal(s, SHOWN_CHARS);
}

/** A piece of device-given data, marked and isolated. */
export function deviceGivenHtml(s: string, lang: Lang): Html {
  return html`<span class="device-given"><span class="tag">${OFFICE_WORDS[lang].deviceGiven}</span> <bdi dir="ltr"><code>${deviceGivenText(s)}</code></bdi></span>`;
}

/** A staff label, marked as such. Staff labels are ours (validated at input) but still escaped. */
export function staffLabelHtml(label: string, lang: Lang): Html {
  return html`<span class="staff-label"><span class="tag">${OFFICE_WORDS[lang].staffLabel}</span> <bdi>${deviceGivenText(label)}</bdi></span>`;
}

/** What the box thinks the device is, in words (e.g. 「スマートフォン（Apple）」, 「種類の分からない機器」). */
export function deviceKindText(d: NameableDevice | null, lang: Lang): string {
  const t = DEVICE_WORDS[lang];
  if (!d) return t.types['unknown'] ?? '';
  const kind = t.types[d.deviceType] ?? t.types['unknown'] ?? '';
  const extra = [d.vendor ? deviceGivenText(d.vendor) : null, d.osName || null].filter(Boolean).join(', ');
  return extra ? (lang === 'ja' ? `${kind}（${extra}）` : `${kind} (${extra})`) : kind;
}

/** The device's names: the staff label if any, then what the device calls itself, else its kind. */
export function deviceNameHtml(d: NameableDevice | null, lang: Lang): Html {
  const parts: Html[] = [];
  if (d?.label) parts.push(staffLabelHtml(d.label, lang));
  if (d?.hostname) parts.push(deviceGivenHtml(d.hostname, lang));
  if (parts.length === 0) parts.push(html`<span class="device-kind">${deviceKindText(d, lang)}</span>`);
  return html`<span class="device-names">${parts}</span>`;
}

/** The device as a card heading shows it: its names followed by its kind, or its kind alone
 *  when it has no name (never 「種類の分からない機器 種類の分からない機器」). */
export function deviceWithKindHtml(d: NameableDevice | null, lang: Lang): Html {
  if (!d?.label && !d?.hostname) return deviceNameHtml(d, lang);
  return html`${deviceNameHtml(d, lang)} <span class="device-kind">${deviceKindText(d, lang)}</span>`;
}
