// Catalog texts for a refused config file or provisioning bundle: the box keeps running on
// the last accepted copy (or, with none, on its defaults) and the technical reasons travel
// along for the help desk. Plain text only; the output layer escapes it.
import type { AlertParams } from '../../../../firmware/src/alerts/types.js';
import type { AlertCatalog, AlertText } from '../types.js';
import { text } from './phrases.js';

const isBundle = (p: AlertParams): boolean => p['file'] === 'provisioning';
const onLastGood = (p: AlertParams): boolean => p['using'] === 'last_good';

function ja(p: AlertParams): AlertText {
  const what = isBundle(p) ? '監視センターから届いた本装置の登録情報' : '本装置の設定ファイル';
  const detail = text(p, 'fields');
  let did: string;
  if (onLastGood(p)) did = '本装置は、前回正しく読み込めた内容のまま動き続けています。インターネット、社内のネットワーク、危険な通信を止める働き、監視センターへの連絡は、これまで通りです。';
  else if (isBundle(p)) did = '前に正しく読み込めた登録情報がないため、本装置は登録されていない状態で動いています。インターネットと危険な通信を止める働きは続いていますが、監視センターへの連絡はできていません。';
  else did = '前に正しく読み込めた設定がないため、本装置は出荷時の設定で動いています。インターネットはそのまま使えるようにしてあります。';
  return {
    title: isBundle(p) ? '新しい登録情報を読み込めませんでした' : '新しい設定を読み込めませんでした',
    what: `${what}に誤りがあったため、本装置はこの内容を使いませんでした。` + (detail ? `（技術者向け：誤りのある項目 ${detail}）` : ''),
    why: '設定が正しくないと、通信が止まったり、守りが弱くなったりするおそれがあるためです。',
    did,
    todo: 'お仕事はそのまま続けてください。設定を直す必要がありますので、相談窓口にご連絡ください。',
  };
}

function en(p: AlertParams): AlertText {
  const what = isBundle(p) ? 'The registration details the monitoring centre sent to this box' : "This box's settings file";
  const detail = text(p, 'fields');
  let did: string;
  if (onLastGood(p)) did = 'The box keeps running on the last version it accepted. The internet, the office network, the blocking of dangerous traffic and the reports to the monitoring centre all work as before.';
  else if (isBundle(p)) did = 'There is no earlier accepted version, so the box runs unregistered. The internet works and dangerous traffic is still stopped, but nothing reaches the monitoring centre.';
  else did = 'There is no earlier accepted version, so the box runs on its factory settings. The internet keeps working.';
  return {
    title: isBundle(p) ? 'New registration details could not be used' : 'New settings could not be used',
    what: `${what} contained mistakes, so the box did not use it.` + (detail ? ` (For the technician: wrong fields ${detail})` : ''),
    why: 'Wrong settings could cut off traffic or weaken the protection.',
    did,
    todo: 'Please carry on working. The settings need to be fixed: call the help desk.',
  };
}

export const configAlerts: AlertCatalog = {
  config_refused: { ja, en },
};
