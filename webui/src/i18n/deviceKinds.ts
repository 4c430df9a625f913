// The words for each kind of device (ja first, en): the one table that the device list, the
// device alerts and every alert's way of naming a device read (issue 13: one catalog). The kind
// is what devices/classify.ts decides (DEVICE_TYPES); an unknown kind uses the glossary's word.
import type { DeviceType } from '../../../firmware/src/devices/fingerprints.js';
import { term } from './glossary.js';
import type { Lang } from './types.js';

const JA = {
  pc: 'パソコン',
  phone: 'スマートフォン',
  tablet: 'タブレット',
  printer: 'プリンター',
  nas: 'ファイル共有用の機器（NAS）',
  iot: 'ネットワークにつながる小型の機器',
  unknown: term('unknownDevice', 'ja'),
} as const satisfies Record<DeviceType, string>;

const EN = {
  pc: 'computer',
  phone: 'smartphone',
  tablet: 'tablet',
  printer: 'printer',
  nas: 'file storage device (NAS)',
  iot: 'small network device',
  unknown: term('unknownDevice', 'en'),
} as const satisfies Record<DeviceType, string>;

/** Kind of device → staff word, per language. Indexed by any string: a kind it does not know gives undefined. */
export const DEVICE_KINDS: Readonly<Record<Lang, Readonly<Partial<Record<string, string>>>>> = { ja: JA, en: EN };

/** The staff word for a device kind in `lang`; an unknown or missing kind gets the glossary's 種類の分からない機器. */
export function deviceKind(type: string | undefined, lang: Lang): string {
  return (type !== undefined ? DEVICE_KINDS[lang][type] : undefined) ?? term('unknownDevice', lang);
}
