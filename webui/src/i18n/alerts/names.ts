// Plain-language text for a device that keeps asking, through DHCP, for a name the box will
// not give it (issue 16): a name with a role for the whole office (`wpad`: where browsers
// look for a proxy; `localhost`; the box's own name) or a name an approved device holds.
// Parameters are raw and possibly hostile (the name came from the device); the output layer
// escapes them. "Whom to call" is appended by the pipeline from provisioning.
import type { AlertParams } from '../../../../firmware/src/alerts/types.js';
import type { AlertCatalog, AlertText } from '../types.js';

type P = AlertParams;
const str = (v: P[string]): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
/** The name in quotes, or a plain phrase when the parameter is missing. */
const nameJa = (p: P): string => (str(p.name) ? `「${p.name}」` : '使えない名前');
const nameEn = (p: P): string => (str(p.name) ? `"${p.name}"` : 'a name it may not use');

function whyJa(p: P): string {
  if (p.reason === 'held') {
    const who = str(p.holder) ? `「${p.holder}」` : '承認済みの機器';
    return `${nameJa(p)}は、すでに${who}の名前です。別の機器が同じ名前を名乗ると、その名前で接続したパソコンが、本物ではなくその機器につながってしまうおそれがあります。`;
  }
  if (p.name === 'wpad') return '「wpad」は、パソコンのブラウザーがインターネットへの出口（プロキシ）を自動で探すときに使う名前です。この名前を名乗る機器があると、社内のパソコンのインターネット通信がその機器を経由させられ、盗み見られるおそれがあります。';
  return `${nameJa(p)}は、社内のネットワーク全体にとって特別な意味を持つ名前（この装置自身の名前など）です。機器がこの名前を名乗ると、ほかのパソコンの通信がその機器に向かうおそれがあります。`;
}
function whyEn(p: P): string {
  if (p.reason === 'held') {
    const who = str(p.holder) ? `"${p.holder}"` : 'an approved device';
    return `${nameEn(p)} is already the name of ${who}. If another device could take it, computers connecting to that name would reach the impostor instead.`;
  }
  if (p.name === 'wpad') return '"wpad" is the name browsers use to find the office\'s web proxy automatically. A device using it could route everyone\'s web traffic through itself and read it.';
  return `${nameEn(p)} has a special meaning for the whole office network (for example the box's own name). A device using it could draw other computers' traffic to itself.`;
}

const id = (p: P, ja: boolean): string => {
  const parts = [str(p.mac) ? (ja ? `識別番号 ${p.mac}` : `device ID ${p.mac}`) : '', str(p.ip) ? (ja ? `ネットワーク上の番号 ${p.ip}` : `address ${p.ip}`) : ''].filter(Boolean);
  return parts.length ? (ja ? `（${parts.join('、')}）` : ` (${parts.join(', ')})`) : '';
};

function refusedJa(p: P): AlertText {
  return {
    title: '機器が、使ってはいけない名前を何度も名乗っています',
    what: `社内の機器${id(p, true)}が、ネットワークに参加するときに${nameJa(p)}を名乗りました。この装置が断ったあとも、もう一度同じ名前を名乗っています。`,
    why: whyJa(p),
    did: 'この装置はこの名前をその機器に登録していません。機器はネットワークには参加できていて、通信は止めていません。',
    todo: 'その機器に心当たりがあれば、機器の名前（コンピューター名）を別の名前に変えてください。心当たりがない場合は、機器の一覧で「隔離」を押して、相談窓口にご相談ください。',
  };
}
function refusedEn(p: P): AlertText {
  return {
    title: 'A device keeps asking for a name it may not use',
    what: `An office device${id(p, false)} asked to be called ${nameEn(p)} when it joined the network, and asked again after the box refused.`,
    why: whyEn(p),
    did: 'The box did not give this name to the device. The device is on the network; its traffic has not been stopped.',
    todo: 'If you know the device, change its name (computer name) to another one. If nobody recognises it, press "Quarantine" in the device list and contact support.',
  };
}

export const nameAlerts: AlertCatalog = {
  dhcp_name_refused: { ja: refusedJa, en: refusedEn },
};
