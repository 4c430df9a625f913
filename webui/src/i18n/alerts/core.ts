// Catalog texts for the walking skeleton's alert kinds: a blocked (or watched) connection
// to or from a blocklisted server, and the box's own health (sensor, ruleset, upstream).
// Plain text only; the output layer escapes it. "Whom to call" is appended by explainAlert.
import type { AlertParams } from '../../../../firmware/src/alerts/types.js';
import type { AlertCatalog, AlertText } from '../types.js';
import {
  capitalise, dangerousServerEn, dangerousServerJa, deviceEn, deviceJa, num, parenEn, parenJa,
  repeatsEn, repeatsJa, text,
} from './phrases.js';
import { conditionName } from '../upstream.js';

const isInbound = (p: AlertParams): boolean => p['direction'] === 'inbound';
// quarantined also means the traffic was stopped; 'none' and 'watched' mean it was not.
const wasBlocked = (p: AlertParams): boolean => p['action'] === 'blocked' || p['action'] === 'quarantined';

function blocklistHitJa(p: AlertParams): AlertText {
  const device = deviceJa(p);
  const server = dangerousServerJa(p) + parenJa(text(p, 'remoteIp'));
  const blocked = wasBlocked(p);
  if (isInbound(p)) {
    return {
      title: blocked ? '外部からの危険な接続を止めました' : '外部からの危険な接続が見つかりました',
      what: (blocked
        ? `${server}が、${device}に接続しようとしたため、本装置が通信を止めました。`
        : `${server}が、${device}に接続しようとしました。`) + repeatsJa(p),
      why: '外部から、社内の機器に入り込めるすき間を探している可能性があります。',
      did: blocked
        ? '本装置がこの通信を止めました。社内の機器には届いていません。'
        : '本装置はこの通信を記録して見守っています。今の設定では、この通信は止めていません。',
      todo: blocked
        ? '特にしていただくことはありません。同じお知らせが何度も続くときは、相談窓口にご相談ください。'
        : 'この機器に見覚えのない動きがないか確認し、通信を止めるかどうか相談窓口にご相談ください。',
    };
  }
  return {
    title: blocked ? '危険なサーバーへの接続を止めました' : '危険なサーバーへの接続が見つかりました',
    what: (blocked
      ? `${device}が、${server}に接続しようとしたため、本装置が通信を止めました。`
      : `${device}が、${server}に接続しようとしました。`) + repeatsJa(p),
    why: 'この機器がウイルスに感染していて、勝手に外部と連絡を取ろうとしている可能性があります。'
      + 'そのままにすると、社内の情報が盗まれたり、ほかのパソコンに広がったりするおそれがあります。',
    did: blocked
      ? '本装置がこの通信を止めました。危険なサーバーとのやり取りは行われていません。'
      : '本装置はこの通信を記録して見守っています。今の設定では、この通信は止めていません。',
    todo: 'この機器を使っている方に、見覚えのないメールの添付ファイルやリンクを開いていないか確認してください。'
      + (blocked
        ? 'ウイルス対策ソフトで検査し、心配なときはこの機器をネットワークから外してください（LANケーブルを抜くか、Wi-Fiを切ります）。'
        : 'すぐにこの機器をネットワークから外し（LANケーブルを抜くか、Wi-Fiを切ります）、相談窓口にご相談ください。'),
  };
}

function blocklistHitEn(p: AlertParams): AlertText {
  const device = deviceEn(p);
  const server = dangerousServerEn(p) + parenEn(text(p, 'remoteIp'));
  const blocked = wasBlocked(p);
  if (isInbound(p)) {
    return {
      title: blocked ? 'A dangerous connection from outside was stopped' : 'A dangerous connection from outside was seen',
      what: (blocked
        ? `${capitalise(server)} tried to connect to ${device}, so this box stopped it.`
        : `${capitalise(server)} tried to connect to ${device}.`) + repeatsEn(p),
      why: 'Someone outside may be looking for a way into the computers in your office.',
      did: blocked
        ? 'This box stopped the connection. It did not reach your office devices.'
        : 'This box is recording and watching this traffic. With the current settings it does not stop it.',
      todo: blocked
        ? 'You do not need to do anything. If this message keeps coming back, please ask the help desk.'
        : 'Check the device for anything unusual, and ask the help desk whether to stop this traffic.',
    };
  }
  return {
    title: blocked ? 'A connection to a dangerous server was stopped' : 'A connection to a dangerous server was seen',
    what: (blocked
      ? `${capitalise(device)} tried to connect to ${server}, so this box stopped it.`
      : `${capitalise(device)} tried to connect to ${server}.`) + repeatsEn(p),
    why: 'The device may have a virus that is trying to contact the outside on its own. '
      + 'Left alone, it could steal office information or spread to other computers.',
    did: blocked
      ? 'This box stopped the connection. Nothing was exchanged with the dangerous server.'
      : 'This box is recording and watching this traffic. With the current settings it does not stop it.',
    todo: 'Ask the person who uses this device whether they opened an unexpected email attachment or link. '
      + (blocked
        ? 'Scan it with your antivirus software. If you are worried, take it off the network (unplug the network cable or turn off Wi-Fi).'
        : 'Take it off the network now (unplug the network cable or turn off Wi-Fi) and ask the help desk.'),
  };
}

/** The sensor in plain words ("通信の見張り（ulogd2）"), from the condition's name (i18n/upstream.ts). */
function sensorName(p: AlertParams, lang: 'ja' | 'en'): string {
  return conditionName(`sensor:${text(p, 'sensor') || '?'}`, lang);
}

function upstreamKeptJa(p: AlertParams): string {
  const n = num(p, 'queued');
  return n !== undefined && n > 0 ? `いま${n}件のお知らせを保管しています。` : '';
}

function upstreamKeptEn(p: AlertParams): string {
  const n = num(p, 'queued');
  if (n === undefined || n <= 0) return '';
  return n === 1 ? ' One message is waiting.' : ` ${n} messages are waiting.`;
}

export const coreCatalog: AlertCatalog = {
  blocklist_hit: { ja: blocklistHitJa, en: blocklistHitEn },

  sensor_down: {
    ja: (p) => ({
      title: '通信の見張りが止まっています',
      what: `本装置の中で通信の様子を見張っている仕組み（${sensorName(p, 'ja')}）が止まっていて、いまは社内の通信を確認できていません。`,
      why: 'この間に危険な通信があっても、気づいてお知らせすることができません。',
      did: '危険なサーバーとの通信を止める設定は、そのまま働いています。本装置は見張りの仕組みを自動で動かし直そうとしています。',
      todo: 'お仕事はそのまま続けてください。しばらくたってもこのお知らせが消えないときは、相談窓口にご連絡ください。',
    }),
    en: (p) => ({
      title: 'Traffic monitoring has stopped',
      what: `The part of this box that watches your office traffic (${sensorName(p, 'en')}) has stopped, so the box cannot see the traffic right now.`,
      why: 'If something dangerous happens meanwhile, the box cannot notice it or tell you.',
      did: 'Connections to known dangerous servers are still being stopped. The box is trying to restart the monitoring on its own.',
      todo: 'Please carry on working. If this message does not go away after a while, call the help desk.',
    }),
  },

  ruleset_failed: {
    ja: () => ({
      title: '守りの設定を更新できませんでした',
      what: '本装置の守りの設定（どの通信を止めるかの決まり）を新しくしようとしましたが、うまくいきませんでした。',
      why: '新しく分かった危険なサーバーへの対策が、まだ反映されていないかもしれません。',
      did: 'それまでの守りの設定がそのまま働いています。インターネットはいつも通り使えます。',
      todo: 'お仕事はそのまま続けてください。このお知らせが続くときは、相談窓口にご連絡ください。',
    }),
    en: () => ({
      title: 'The protection settings could not be updated',
      what: 'This box tried to update its protection settings (the rules that decide which traffic to stop), but it did not work.',
      why: 'Protection against newly found dangerous servers may not be in place yet.',
      did: 'The previous protection settings are still in force. The internet works as usual.',
      todo: 'Please carry on working. If this message keeps appearing, call the help desk.',
    }),
  },

  upstream_unreachable: {
    ja: (p) => ({
      title: '監視センターと連絡が取れていません',
      what: '本装置が、24時間見守っている監視センターに連絡できない状態です。',
      why: 'その間、監視センターはこの事務所で起きていることを知ることができません。',
      did: 'お知らせは本装置の中に保管していて、連絡が取れしだい、まとめて送ります。' + upstreamKeptJa(p)
        + '危険な通信を止める働きは続いています。',
      todo: 'インターネットが使えるか確認してください。使えないときは、ルーターの電源とケーブルを確認してください。'
        + 'このお知らせが続くときは、相談窓口にご連絡ください。',
    }),
    en: (p) => ({
      title: 'The monitoring centre cannot be reached',
      what: 'This box cannot reach the monitoring centre that watches your office 24 hours a day.',
      why: 'Until it can, the monitoring centre does not know what is happening in your office.',
      did: 'Messages are kept inside this box and will all be sent as soon as the centre can be reached.'
        + upstreamKeptEn(p) + ' Dangerous traffic is still being stopped.',
      todo: 'Check whether the internet works. If it does not, check the power and cables of your internet router. '
        + 'If this message keeps appearing, call the help desk.',
    }),
  },
};
