// The one glossary of staff-facing terms (issue 12): each concept has one Japanese and one
// English word, used in every catalog entry and view. `variants` are the words we used to mix
// in for the same concept; test/unit/webui/i18n/glossary.test.ts fails when one reappears in
// the catalog or a view. Add a term here before using a new word for a staff action.
import type { Lang } from './types.js';

export interface GlossaryTerm {
  /** What the word means, for whoever edits the catalog. */
  meaning: string;
  ja: string;
  en: string;
  /** Words that must not stand for this concept in staff text (regular expressions). */
  variants: Record<Lang, readonly RegExp[]>;
}

export const GLOSSARY = {
  approve: {
    meaning: 'staff say a device is known and may stay on the network',
    ja: '承認', en: 'approve',
    variants: { ja: [/許可/u], en: [/\ballow(?:s|ed|ing)?\b/iu, /\bwhitelist/iu] },
  },
  quarantine: {
    meaning: 'a device is cut off from the internet and the other office devices',
    ja: '隔離', en: 'quarantine',
    variants: { ja: [/切り離/u], en: [/\bisolat(?:e|ed|es|ing|ion)\b/iu] },
  },
  release: {
    meaning: 'a quarantined device may use the network again',
    ja: '隔離の解除', en: 'release',
    variants: { ja: [/隔離を(?:やめ|終了)/u], en: [/\bun-?quarantine/iu] },
  },
  block: {
    meaning: 'the box stopped a connection to a listed address',
    ja: '遮断', en: 'block',
    variants: { ja: [/ブロック/u], en: [/\bblacklist/iu] },
  },
  acknowledge: {
    meaning: 'staff mark an alert or incident as handled (with an optional note)',
    ja: '対応済みにする', en: 'mark as handled',
    variants: { ja: [/解決済み/u, /対応完了/u], en: [/\bresolved\b/iu] },
  },
  helpDesk: {
    meaning: "the provider's help desk staff call (one name only)",
    ja: '相談窓口', en: 'help desk',
    // Any 窓口 that is not the one name 相談窓口; the provisioned desk name is data, not catalog text.
    variants: { ja: [/(?<!相談)窓口/u, /お問い?合わせ先/u, /ヘルプデスク/u, /サポートセンター/u], en: [/\bsupport desk\b/iu, /\bservice desk\b/iu, /\bhelpdesk\b/iu, /\bcontact point\b/iu] },
  },
  monitoringCentre: {
    meaning: "the provider's 24-hour monitoring centre that receives the box's messages",
    ja: '監視センター', en: 'monitoring centre',
    variants: { ja: [/監視窓口/u, /監視センタ(?!ー)/u], en: [/\bmonitoring center\b/iu, /\bSOC\b/u] },
  },
  unknownDevice: {
    meaning: 'a device whose kind the box could not work out',
    ja: '種類の分からない機器', en: 'unknown kind of device',
    variants: { ja: [/種類不明/u, /不明な機器/u], en: [/\bunknown type\b/iu] },
  },
} as const satisfies Record<string, GlossaryTerm>;

export type GlossaryKey = keyof typeof GLOSSARY;

/** The staff word for `key` in `lang`. */
export function term(key: GlossaryKey, lang: Lang): string {
  return GLOSSARY[key][lang];
}

export interface GlossaryViolation {
  term: GlossaryKey;
  lang: Lang;
  found: string;
}

/** The non-glossary variants in `text` (staff text in `lang`), empty when it follows the glossary. */
export function glossaryViolations(text: string, lang: Lang): GlossaryViolation[] {
  const out: GlossaryViolation[] = [];
  for (const [key, t] of Object.entries(GLOSSARY) as Array<[GlossaryKey, GlossaryTerm]>) {
    for (const re of t.variants[lang]) {
      const m = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
      for (const hit of text.matchAll(m)) out.push({ term: key, lang, found: hit[0] });
    }
  }
  return out;
}
