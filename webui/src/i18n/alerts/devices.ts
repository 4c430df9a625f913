// Plain-language texts for device alerts (issue 4): a new device after the learning period —
// likely someone's personal phone, an end-of-life PC, or just unknown — and a quarantine.
// Parameters are raw and possibly hostile (a DHCP hostname); the output layer escapes them.
// "Whom to call" is appended by the pipeline from provisioning.
import type { AlertParams } from '../../../../firmware/src/alerts/types.js';
import { deviceKind } from '../deviceKinds.js';
import type { AlertCatalog, AlertText } from '../types.js';

type P = AlertParams;
const str = (v: P[string]): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

// Named as staff know the device (alerts/naming.ts; live names first, then the finding's own):
// the staff label as written; else the name the device gives itself, marked as its claim; else
// maker and kind. The address (and the device ID) follows in brackets.
const labelOf = (p: P): string | undefined => str(p.deviceLabel) ?? str(p.label);
const hostOf = (p: P): string | undefined => str(p.deviceName) ?? str(p.hostname);
const vendorOf = (p: P): string | undefined => str(p.deviceVendor) ?? str(p.vendor);

function nameJa(p: P): string {
  const label = labelOf(p);
  if (label) return label;
  const kind = deviceKind(str(p.deviceType), 'ja');
  const host = hostOf(p), vendor = vendorOf(p);
  const v = vendor ? `${vendor}製の` : '';
  return host ? `「${host}」と名乗る${v}${kind}` : `${v}${kind}`;
}
/** Starts a sentence, so it is capitalised ("A smartphone calling itself ..."). */
function nameEn(p: P): string {
  const label = labelOf(p);
  if (label) return `“${label}”`;
  const kind = deviceKind(str(p.deviceType), 'en');
  const a = /^[aeiou]/i.test(kind) ? 'An' : 'A';
  const host = hostOf(p), vendor = vendorOf(p);
  const v = vendor ? ` made by ${vendor}` : '';
  return host ? `${a} ${kind}${v} calling itself "${host}"` : `${a} ${kind}${v}`;
}
const addrOf = (p: P): string | undefined => str(p.ip) ?? str(p.deviceIp);
const idJa = (p: P): string => {
  const parts = [addrOf(p), str(p.mac) ? `機器の識別番号 ${p.mac}` : undefined].filter((x) => x !== undefined);
  return parts.length ? `（${parts.join('、')}）` : '';
};
const idEn = (p: P): string => {
  const parts = [addrOf(p), str(p.mac) ? `device ID ${p.mac}` : undefined].filter((x) => x !== undefined);
  return parts.length ? ` (${parts.join(', ')})` : '';
};

function maybeJa(p: P): string {
  if (!str(p.maybeSameAs)) return '';
  const old = str(p.maybeSameAsName) ? `「${p.maybeSameAsName}」` : `識別番号 ${p.maybeSameAs} の機器`;
  return `以前の機器と同じかもしれません（${old}）。スマートフォンは接続のたびに識別番号を変えることがあり、同じ機器かどうか確実には判断できませんでした。`;
}
function maybeEn(p: P): string {
  if (!str(p.maybeSameAs)) return '';
  const old = str(p.maybeSameAsName) ? `"${p.maybeSameAsName}"` : `the device with ID ${p.maybeSameAs}`;
  return ` It may be the same device as one seen before (${old}). Phones can change their device ID each time they connect, so we could not be sure.`;
}

// A notice restated on later evidence (devices/alertHold.ts) says what it first said and why it changed.
const CORRECTED_JA: Record<string, string> = {
  new_device_eol: '先に「サポートが終わった古いパソコン」とお知らせしましたが、その後の通信から、そうではないと分かりました。',
  new_device_phone: '先に「私物のスマートフォンの可能性が高い」とお知らせしましたが、その後の通信から、そうではないと分かりました。',
  new_device_unknown: 'この通知は、その後の通信から分かったことで内容を改めました。',
};
const CORRECTED_EN: Record<string, string> = {
  new_device_eol: ' The box first reported it as an old computer without security updates; what it saw since shows it is not.',
  new_device_phone: ' The box first reported it as most likely a personal smartphone; what it saw since shows it is not.',
  new_device_unknown: ' The box has updated this notice with what it learned since.',
};
function correctedJa(p: P): string {
  const from = str(p.correctedFrom);
  const kind = from !== undefined && Object.hasOwn(CORRECTED_JA, from) ? CORRECTED_JA[from] ?? '' : '';
  const maybe = p.maybeWithdrawn === true ? '先に「以前の機器と同じかもしれません」とお知らせしましたが、その機器と同時に使われていることが分かったので、別の機器です。' : '';
  return `${kind}${maybe}`;
}
function correctedEn(p: P): string {
  const from = str(p.correctedFrom);
  const kind = from !== undefined && Object.hasOwn(CORRECTED_EN, from) ? CORRECTED_EN[from] ?? '' : '';
  const maybe = p.maybeWithdrawn === true ? ' The box first said it might be a device seen before; both are in use at the same time, so they are two devices.' : '';
  return `${kind}${maybe}`;
}

const didJa = (p: P): string => (p.quarantined === true
  ? 'この機器を隔離しました。インターネットにも社内のほかの機器にもつながりません（この装置の案内ページだけは見られます）。'
  : 'この機器を一覧に記録しました。通信はまだ止めていません。');
const didEn = (p: P): string => (p.quarantined === true
  ? 'The box has quarantined this device: it cannot reach the internet or other office devices (only this box\'s own page).'
  : 'The box has added this device to its list. Its traffic has not been stopped.');

const ASK_JA = 'この機器に心当たりはありますか？';
const ASK_EN = 'Do you recognise this device?';

function phoneJa(p: P): AlertText {
  return {
    title: '見慣れないスマートフォンが社内のネットワークにつながりました',
    what: `${nameJa(p)}${idJa(p)}が、はじめて社内のネットワークにつながりました。社員の方の私物のスマートフォンである可能性が高い機器です。${maybeJa(p)}${correctedJa(p)}`,
    why: '会社が管理していない私物のスマートフォンは、ウイルス対策や更新の状況が分かりません。社内の情報に触れたり、危険なサイトと通信したりするおそれがあります。',
    did: didJa(p),
    todo: `${ASK_JA} 社員の方の私物であれば、社内のネットワークにはつながないようお願いしてください（来客用のWi-Fiがあればそちらへ）。仕事で使う機器であれば「承認」を押してください。心当たりがなければ「隔離」を押して、相談窓口にご相談ください。`,
  };
}
function phoneEn(p: P): AlertText {
  return {
    title: 'An unfamiliar smartphone joined the office network',
    what: `${nameEn(p)}${idEn(p)} connected to the office network for the first time. It is most likely someone's personal smartphone.${maybeEn(p)}${correctedEn(p)}`,
    why: 'A personal phone the company does not manage may lack protection or updates. It could reach office data or talk to dangerous sites.',
    did: didEn(p),
    todo: `${ASK_EN} If it is an employee's own phone, ask them to keep it off the office network (use the guest Wi-Fi if there is one). If it is used for work, press "Approve". If nobody recognises it, press "Quarantine" and call the help desk.`,
  };
}

function unknownJa(p: P): AlertText {
  return {
    title: '新しい機器が社内のネットワークにつながりました',
    what: `${nameJa(p)}${idJa(p)}が、はじめて社内のネットワークにつながりました。${maybeJa(p)}${correctedJa(p)}`,
    why: '知らない機器が社内のネットワークにつながっていると、情報を持ち出されたり、ウイルスを広げられたりするおそれがあります。新しく買った機器や来客の機器であることも多く、必ずしも危険とは限りません。',
    did: didJa(p),
    todo: `${ASK_JA} 会社の機器であれば「承認」を押してください。今後この機器について通知はしません。心当たりがなければ「隔離」を押して、相談窓口にご相談ください。`,
  };
}
function unknownEn(p: P): AlertText {
  return {
    title: 'A new device joined the office network',
    what: `${nameEn(p)}${idEn(p)} connected to the office network for the first time.${maybeEn(p)}${correctedEn(p)}`,
    why: 'An unknown device on the office network could take data out or spread a virus. Often it is simply new equipment or a visitor\'s device, so it is not necessarily dangerous.',
    did: didEn(p),
    todo: `${ASK_EN} If it belongs to the company, press "Approve" and you will not be told about it again. If nobody recognises it, press "Quarantine" and call the help desk.`,
  };
}

function eolJa(p: P): AlertText {
  const os = str(p.osName) ?? 'サポートが終了した Windows';
  return {
    title: 'サポートが終わった古いパソコンがつながりました',
    what: `${os}で動いているとみられる${nameJa(p)}${idJa(p)}が、社内のネットワークにつながりました。${maybeJa(p)}${correctedJa(p)}`,
    why: `${os}はメーカーのサポートが終わっていて、安全のための更新がもう配られません。インターネットにつなぐだけでウイルスに感染することがあり、社内のほかのパソコンにも広がるおそれがあります。`,
    did: didJa(p),
    todo: `${ASK_JA} 使っていないパソコンであれば、ネットワークのケーブルを抜くかWi-Fiを切ってください。どうしても必要な場合は、インターネットにつながずに使い、新しいパソコンへの買い替えをご検討ください。判断に迷うときは「隔離」を押して、相談窓口にご相談ください。`,
  };
}
function eolEn(p: P): AlertText {
  const os = str(p.osName) ?? 'an unsupported version of Windows';
  return {
    title: 'An old computer without security updates joined the network',
    what: `${nameEn(p)}${idEn(p)}, apparently running ${os}, connected to the office network.${maybeEn(p)}${correctedEn(p)}`,
    why: `${os} no longer receives security updates from its maker. It can be infected just by being on the internet, and the infection can spread to other office computers.`,
    did: didEn(p),
    todo: `${ASK_EN} If it is not in use, unplug its network cable or turn off its Wi-Fi. If it is truly needed, keep it off the internet and plan to replace it. If unsure, press "Quarantine" and call the help desk.`,
  };
}

function quarantinedJa(p: P): AlertText {
  const by = str(p.actor) ? `（操作した人: ${p.actor}）` : '';
  return {
    title: '機器を隔離しました',
    what: `${nameJa(p)}${idJa(p)}を隔離しました${by}。`,
    why: '隔離した機器は、インターネットにも社内のほかの機器にもつながりません。ネットワークの設定を受け取ることと、この装置の案内ページを見ることだけができます。',
    did: 'この機器の通信を止めました。',
    todo: '問題がないと分かったら、機器の一覧で「隔離を解除」を押してください。仕事で使う機器であれば「承認」を押すと、今後は通知しません。',
  };
}
function quarantinedEn(p: P): AlertText {
  const by = str(p.actor) ? ` (by ${p.actor})` : '';
  return {
    title: 'A device was quarantined',
    what: `${nameEn(p)}${idEn(p)} was quarantined${by}.`,
    why: 'A quarantined device cannot reach the internet or other office devices. It can only get its network settings and open this box\'s own page.',
    did: 'The box has stopped this device\'s traffic.',
    todo: 'Once you know it is safe, press "Release" in the device list. If it is used for work, press "Approve" and you will not be told about it again.',
  };
}

export const deviceAlerts: AlertCatalog = {
  new_device_phone: { ja: phoneJa, en: phoneEn },
  new_device_unknown: { ja: unknownJa, en: unknownEn },
  new_device_eol: { ja: eolJa, en: eolEn },
  device_quarantined: { ja: quarantinedJa, en: quarantinedEn },
};

/** The question the device page asks about each new device. */
export const DEVICE_QUESTION = { ja: ASK_JA, en: ASK_EN } as const;
