// Turns a stored Alert into the five plain-language texts plus "whom to call", in one
// language. Shared by the web page, utmctl and the upstream forwarder. Output is plain
// text (no markup); each output layer escapes it for its medium.
import type { Alert, AlertParams } from '../../../firmware/src/alerts/types.js';
import type { Desk } from '../model/model.js';
import type { AlertCatalog, AlertText, Lang } from './types.js';

export type ExplainedAlert = AlertText & { call: string };

/** Longest parameter text put into a sentence; longer (hostile) values are cut with "…". */
export const MAX_PARAM_CHARS = 64;

// C0/C1 controls, DEL, zero-width and bidi overrides: they could garble a terminal or
// reorder what a reader sees. Replaced, not dropped, so tampering stays visible.
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** Makes one hostile text value safe to put into a sentence (any output medium). */
export function cleanParam(value: string, max: number = MAX_PARAM_CHARS): string {
  const cleaned = value.replace(UNSAFE_CHARS, '\ufffd');
  const chars = Array.from(cleaned);
  return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : cleaned;
}

// Provisioning allows 80 characters for desk fields; leave room, still bounded.
const MAX_DESK_CHARS = 100;

/** The parameters a template sees: the finding's params, overridden by the alert's own
 *  structured fields (which stay current as repeats are counted), all cleaned. */
export function templateParams(alert: Alert): AlertParams {
  const derived: AlertParams = {
    kind: alert.kind,
    deviceIp: alert.device.ip,
    deviceMac: alert.device.mac,
    remoteIp: alert.remote?.ip,
    remotePort: alert.remote?.port,
    direction: alert.direction ?? undefined,
    action: alert.action,
    count: alert.count,
  };
  const out: AlertParams = {};
  for (const source of [alert.params, derived]) {
    for (const [key, value] of Object.entries(source)) {
      if (value === undefined) continue;
      out[key] = typeof value === 'string' ? cleanParam(value) : value;
    }
  }
  return out;
}

const FALLBACK_DID: Record<Lang, Record<Alert['action'], string>> = {
  ja: {
    blocked: '本装置がこの通信を止めました。',
    watched: '本装置はこの通信を記録して見守っています。',
    quarantined: '本装置がこの機器の通信を止めて、隔離しました。',
    none: '本装置はこの出来事を記録しました。',
  },
  en: {
    blocked: 'This box stopped the traffic.',
    watched: 'This box is recording and watching this traffic.',
    quarantined: 'This box cut the device off from the network.',
    none: 'This box recorded what happened.',
  },
};

/** Text for a kind the catalog does not know (or whose template failed). Never throws. */
export function fallbackText(alert: Alert, lang: Lang): AlertText {
  const did = FALLBACK_DID[lang][alert.action] ?? FALLBACK_DID[lang].none;
  return lang === 'ja'
    ? {
      title: '本装置からのお知らせ',
      what: '本装置が、確認が必要なことを見つけました。',
      why: 'この画面では、まだ詳しく説明できない種類のお知らせです。',
      did,
      todo: '念のため、相談窓口にご連絡ください。',
    }
    : {
      title: 'A message from this box',
      what: 'This box noticed something that needs checking.',
      why: 'This page cannot explain this kind of message in detail yet.',
      did,
      todo: 'To be safe, please call the help desk.',
    };
}

const FIELDS = ['title', 'what', 'why', 'did', 'todo'] as const;

function isComplete(t: unknown): t is AlertText {
  if (typeof t !== 'object' || t === null) return false;
  const rec = t as Record<string, unknown>;
  return FIELDS.every((f) => {
    const v = rec[f];
    return typeof v === 'string' && v.trim() !== '';
  });
}

/** "Whom to call", from the provisioned desk (named first, e.g. 「〇〇お助け隊 相談窓口（電話 …）」);
 *  a sensible text when none is provisioned. */
export function whomToCall(desk: Desk | null, lang: Lang, severity: Alert['severity'] = 'warning'): string {
  const name = desk ? cleanParam(desk.name, MAX_DESK_CHARS).trim() : '';
  const phone = desk ? cleanParam(desk.phone, MAX_DESK_CHARS).trim() : '';
  const hours = desk?.hours ? cleanParam(desk.hours, MAX_DESK_CHARS).trim() : '';
  if (lang === 'ja') {
    if (!phone) return '相談窓口の連絡先が設定されていません。この装置を設置した会社か、社内でパソコンを担当している方にご連絡ください。';
    const who = `${name || '相談窓口'}（電話 ${phone}${hours ? `、受付 ${hours}` : ''}）`;
    if (severity === 'danger') return `すぐに${who}にご連絡ください。`;
    if (severity === 'info') return `気になることがあれば、${who}にご相談ください。`;
    return `${who}にご連絡ください。`;
  }
  if (!phone) return 'No help desk has been set up. Please contact the company that installed this box, or whoever looks after your office computers.';
  const who = `${name || 'the help desk'} (phone ${phone}${hours ? `, ${hours}` : ''})`;
  if (severity === 'danger') return `Call ${who} now.`;
  if (severity === 'info') return `If anything worries you, call ${who}.`;
  return `Please call ${who}.`;
}

/** Explains one alert in `lang`: catalog template (or a fallback for an unknown kind or a
 *  failing template) plus whom to call. Never throws. */
export function explainAlert(alert: Alert, lang: Lang, catalog: AlertCatalog, desk: Desk | null): ExplainedAlert {
  const template = Object.hasOwn(catalog, alert.kind) ? catalog[alert.kind]?.[lang] : undefined;
  let text: AlertText = fallbackText(alert, lang);
  if (template) {
    try {
      const produced = template(templateParams(alert));
      if (isComplete(produced)) text = produced;
    } catch {
      // A broken template must not take the page down: the fallback text above stands,
      // and the catalog completeness test is where such a bug is caught.
      text = fallbackText(alert, lang);
    }
  }
  return {
    title: text.title, what: text.what, why: text.why, did: text.did, todo: text.todo,
    call: whomToCall(desk, lang, alert.severity),
  };
}
