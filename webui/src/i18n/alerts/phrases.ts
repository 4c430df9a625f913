// Shared building blocks for alert templates: how to name an office device, a dangerous
// server's category and a repeat count, in Japanese and English. Templates in every partial
// catalog (core, blocklist, devices, traffic) use these so the wording stays consistent.
//
// Parameter names every template may rely on (filled by explainAlert from the Alert):
//   deviceIp, deviceMac, remoteIp, remotePort, direction, action, count, kind
// and optionally (from the device inventory, alerts/naming.ts): deviceName (hostname, hostile
// text), deviceLabel (set by staff), deviceVendor (OUI registry), deviceType ('pc' | 'phone' |
// 'printer' | 'nas' | 'iot' | 'unknown'),
// category ('malware' | 'c2' | 'phishing' | 'attack' | 'spam' | anything else).
import type { AlertParams } from '../../../../firmware/src/alerts/types.js';
import { DEVICE_KINDS, deviceKind } from '../deviceKinds.js';
import type { Lang } from '../types.js';
import { categoryPhrase } from './blocklist.js';

/** A non-empty text parameter, or undefined. Numbers are turned into text. */
export function text(p: AlertParams, key: string): string | undefined {
  const v = p[key];
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v.trim() !== '') return v;
  return undefined;
}

/** A finite numeric parameter (numbers or digit strings), or undefined. */
export function num(p: AlertParams, key: string): number | undefined {
  const v = p[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

// A known kind's word, or undefined for 'unknown' and missing kinds (which then read 機器/device
// beside a self-given name, and 種類の分からない機器 otherwise).
const knownKind = (type: string, lang: Lang): string | undefined => (type === 'unknown' ? undefined : DEVICE_KINDS[lang][type]);

// How an office device is named, as staff know it (issue 15): the label staff gave it; else the
// name the device gives itself (hostile text, so marked as its own claim: 「…」と名乗る); else
// its maker and kind; always with its address after it. A label and a self-given name are told
// apart, so a device calling itself 「経理のパソコン」 cannot pass for the one staff labelled so.
const address = (p: AlertParams): string | undefined => text(p, 'deviceIp') ?? text(p, 'device') ?? text(p, 'deviceMac');

/** 「経理のパソコン（192.168.1.23）」, 「「KEIRI-XP」と名乗るパソコン（…）」, 「Brother製のプリンター（…）」 or 「社内の機器（…）」. */
export function deviceJa(p: AlertParams): string {
  const addr = address(p);
  const paren = addr ? `（${addr}）` : '';
  const label = text(p, 'deviceLabel');
  if (label) return `${label}${paren}`;
  const type = text(p, 'deviceType') ?? '';
  const kind = knownKind(type, 'ja') ?? '機器';
  const name = text(p, 'deviceName');
  if (name) return `「${name}」と名乗る${kind}${paren}`;
  const vendor = text(p, 'deviceVendor');
  const anyKind = type === 'unknown' ? deviceKind(type, 'ja') : kind;
  if (vendor) return `${vendor}製の${anyKind}${paren}`;
  return `社内の${anyKind}${paren}`;
}

/** "“Accounts PC” (192.168.1.23)", "a computer calling itself “KEIRI-XP” (…)", "a Brother printer (…)" or "a device in your office (…)". */
export function deviceEn(p: AlertParams): string {
  const addr = address(p);
  const paren = addr ? ` (${addr})` : '';
  const label = text(p, 'deviceLabel');
  if (label) return `“${label}”${paren}`;
  const type = text(p, 'deviceType') ?? '';
  const kind = type === 'unknown' ? deviceKind(type, 'en') : knownKind(type, 'en') ?? 'device';
  const name = text(p, 'deviceName');
  const a = (w: string): string => (/^[aeiou]/i.test(w) ? 'an' : 'a');
  if (name) return `${a(kind)} ${kind} calling itself “${name}”${paren}`;
  const vendor = text(p, 'deviceVendor');
  if (vendor) return type === 'unknown' ? `${a(kind)} ${kind} made by ${vendor}${paren}` : `${a(vendor)} ${vendor} ${kind}${paren}`;
  return `${a(kind)} ${kind} in your office${paren}`;
}

const CATEGORY_JA: Record<string, string> = {
  malware: 'ウイルスの配布などに使われている',
  c2: '乗っ取ったパソコンに指示を出すために使われている',
  phishing: '偽のサイトでパスワードなどをだまし取るために使われている',
  attack: 'ほかのネットワークへの攻撃に使われている',
  spam: '迷惑メールの送信に使われている',
};
const CATEGORY_EN: Record<string, string> = {
  malware: 'used to spread viruses',
  c2: 'used to control hijacked computers',
  phishing: 'used by fake websites that steal passwords',
  attack: 'used to attack other networks',
  spam: 'used to send junk mail',
};

/** 「ウイルスの配布などに使われている危険なサーバー」; unknown categories get a neutral phrase. */
export function dangerousServerJa(p: AlertParams): string {
  const feedPhrase = feedCategory(p, CATEGORY_JA);
  if (feedPhrase) return feedPhrase.ja; // other feed categories: the feed catalog's own words
  const phrase = CATEGORY_JA[text(p, 'category') ?? ''] ?? '悪用されていると報告されている';
  return `${phrase}危険なサーバー`;
}

/** "a dangerous server used to spread viruses"; unknown categories get a neutral phrase. */
export function dangerousServerEn(p: AlertParams): string {
  const feedPhrase = feedCategory(p, CATEGORY_EN);
  if (feedPhrase) return feedPhrase.en;
  const phrase = CATEGORY_EN[text(p, 'category') ?? ''];
  return phrase ? `a dangerous server ${phrase}` : 'a server reported as dangerous';
}

/** The feed catalog's phrase for a feed category (scanner, botnet, …) that `own` has no words for. */
function feedCategory(p: AlertParams, own: Record<string, string>): { ja: string; en: string } | undefined {
  const c = text(p, 'category');
  if (c === undefined || Object.hasOwn(own, c) || !Object.hasOwn(categoryPhrase, c)) return undefined;
  return categoryPhrase[c as keyof typeof categoryPhrase];
}

/** 「（203.0.113.5）」 or ''. */
export function parenJa(value: string | undefined): string {
  return value ? `（${value}）` : '';
}

/** " (203.0.113.5)" or ''. */
export function parenEn(value: string | undefined): string {
  return value ? ` (${value})` : '';
}

/** 「同じ通信がこれまでに3回ありました。」 for count > 1, else ''. */
export function repeatsJa(p: AlertParams): string {
  const n = num(p, 'count');
  return n !== undefined && n > 1 ? `同じ通信がこれまでに${n}回ありました。` : '';
}

/** " This happened 3 times so far." for count > 1, else ''. */
export function repeatsEn(p: AlertParams): string {
  const n = num(p, 'count');
  return n !== undefined && n > 1 ? ` This happened ${n} times so far.` : '';
}

/** Upper-cases the first letter (English sentences that start with a device phrase). */
export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
