// Messages for anomalous outbound traffic (issue 5): beaconing, mail abuse, scanning,
// unusual uploads, long connections, threat-intel contact, and the incident that groups them.
// Written for office staff; the technician sees the finding's evidence separately.
// "Whom to call" is appended by the pipeline from provisioning.
import type { AlertParams } from '../../../../firmware/src/alerts/types.js';
import type { AlertCatalog } from '../types.js';
import { capitalise, deviceEn, deviceJa } from './phrases.js';
import * as u from '../units.js';

/** Parameter as display text ("" when absent). */
const s = (v: AlertParams[string]): string => (v === undefined ? '' : String(v));
// The device as staff know it (label, its own name, or maker and kind), address after it.
const dev = (p: AlertParams): string => deviceJa(p);
const devEn = (p: AlertParams): string => capitalise(deviceEn(p));
/** Bytes of an upload: `bytes`, or the older `megabytes` of alerts stored before it. */
const uploaded = (p: AlertParams): number | undefined =>
  typeof p['bytes'] === 'number' ? p['bytes'] : typeof p['megabytes'] === 'number' ? p['megabytes'] * 1e6 : undefined;
// The outside address, and its name when the box saw the device look it up (DNS name sensor).
const remoteJa = (p: AlertParams): string => (p['remoteName'] === undefined ? s(p['remote']) : `${s(p['remote'])}、名前: ${s(p['remoteName'])}`);
const remoteEn = (p: AlertParams): string => (p['remoteName'] === undefined ? s(p['remote']) : `${s(p['remote'])}, named ${s(p['remoteName'])}`);

const UNPLUG_JA = 'このパソコンのLANケーブルを抜くかWi-Fiを切り、相談窓口に電話してください。電源は切らずにそのままにしてください（調査に必要な情報が消えるためです）。';
const UNPLUG_EN = 'Unplug the network cable from this computer or turn off its Wi-Fi, then call the help desk. Please leave it switched on: turning it off erases information needed to investigate.';

export const trafficAlerts: AlertCatalog = {
  beacon: {
    // A further rare channel of a device that kept several (detectors/beacon.ts, the implant's
    // scope): found for the device's other channels, not for being regular, so it is not called regular.
    ja: (p) => (typeof p['deviceRareChannels'] === 'number' ? {
      title: '感染が疑われる機器に、別の不審な連絡先が見つかりました',
      what: `${dev(p)}は、ほかの機器が使っていない${u.places(p['deviceRareChannels'], 'ja') ?? '複数'}の相手と、ほぼ一日中通信を続けていました。この機器が、さらに別の相手（${remoteJa(p)}）にも、${typeof p['activeHours'] === 'number' ? `この24時間のうち${u.count(p['activeHours'])}時間にわたって、` : ''}合わせて${u.times(p['connections'], 'ja') ?? '何度も'}接続しています。社内のほかの機器はこの相手と通信していません。`,
      why: 'ウイルスは、指示を受け取る相手が使えなくなったときに備えて、予備の連絡先を持つことがよくあります。感染が疑われる機器が、社内のほかでは使われていない相手とくり返し通信している場合、その予備の連絡先である可能性が高いです。',
      did: 'この通信はまだ止めていません。記録を取り、監視センターに知らせました。',
      todo: UNPLUG_JA,
    } : {
      title: '決まった間隔で外部と通信し続けている機器があります',
      what: `${dev(p)}が、インターネット上の同じ相手（${remoteJa(p)}）に${u.every(p['intervalSeconds'], 'ja') ?? '決まった間隔で'}、これまでに${u.times(p['connections'], 'ja') ?? '何度も'}、機械的に規則正しく接続しています。`,
      why: 'ウイルスに感染した機器は、攻撃者からの指示を受け取るために、このように決まった間隔で連絡を取り続けることがあります。人が操作しているときの通信はこれほど規則正しくなりません。',
      did: 'この通信はまだ止めていません。記録を取り、監視センターに知らせました。',
      todo: UNPLUG_JA,
    }),
    en: (p) => (typeof p['deviceRareChannels'] === 'number' ? {
      title: 'Another suspicious outside address found on a device that may be infected',
      what: `${devEn(p)} had kept in touch nearly all day with ${u.places(p['deviceRareChannels'], 'en', 'outside address', 'outside addresses') ?? 'several outside addresses'} that no other office device uses. It has also connected to another internet address (${remoteEn(p)}) ${u.times(p['connections'], 'en') ?? 'many times'}${typeof p['activeHours'] === 'number' ? ` in ${u.count(p['activeHours'])} of the last 24 hours` : ''}. No other office device talks to it.`,
      why: 'Malware often keeps spare addresses to report to, in case its main one is taken down. When a device already suspected of infection keeps returning to an address nothing else in the office uses, that address is likely one of them.',
      did: 'The traffic has not been stopped. It has been recorded and reported to the monitoring centre.',
      todo: UNPLUG_EN,
    } : {
      title: 'A device keeps contacting the same outside address at regular intervals',
      what: `${devEn(p)} has connected to the same internet address (${remoteEn(p)}) ${u.every(p['intervalSeconds'], 'en') ?? 'at fixed intervals'}, ${u.times(p['connections'], 'en') ?? 'many times'} so far, with machine-like regularity.`,
      why: 'Infected devices often check in with the attacker at fixed intervals to receive instructions. Traffic caused by people is never this regular.',
      did: 'The traffic has not been stopped. It has been recorded and reported to the monitoring centre.',
      todo: UNPLUG_EN,
    }),
  },
  mail_abuse: {
    ja: (p) => ({
      title: 'パソコンがメールを大量に、または直接送ろうとしています',
      what: `${dev(p)}が、会社で決めたメールサーバーを通さずに、外部のメールサーバーへ直接メールを送ろうとしています${p['servers'] === undefined ? '' : `（${u.minutes(p['minutes'], 'ja') ?? '短い時間'}に${u.places(p['servers'], 'ja') ?? ''}）`}。`,
      why: 'ウイルスに感染したパソコンが、取引先などに偽のメールを勝手に送ることがあります。会社の名前で迷惑メールが送られると、信用を失ったり、会社のメールが相手に届かなくなったりします。',
      did: 'この通信はまだ止めていません。記録を取り、監視センターに知らせました。',
      todo: `${UNPLUG_JA}取引先から「変なメールが届いた」と連絡があった場合も、相談窓口にお伝えください。`,
    }),
    en: (p) => ({
      title: 'A computer is sending mail directly or in bulk',
      what: `${devEn(p)} is sending mail straight to outside mail servers instead of through the office's own mail server${p['servers'] === undefined ? '' : ` (${u.places(p['servers'], 'en', 'server') ?? ''} in ${u.minutes(p['minutes'], 'en') ?? 'a short time'})`}.`,
      why: 'Infected computers send fake mail to business partners in the company\'s name. This damages trust and can get the office\'s real mail blocked.',
      did: 'The traffic has not been stopped. It has been recorded and reported to the monitoring centre.',
      todo: `${UNPLUG_EN} If partners tell you they received strange mail from you, please mention it too.`,
    }),
  },
  scan: {
    ja: (p) => ({
      title: p['lan'] === true ? '社内のほかの機器を次々に調べている機器があります' : '外部の多数の機器を次々に調べている機器があります',
      what: p['pattern'] === 'ports'
        ? `${dev(p)}が、${u.minutes(p['minutes'], 'ja') ?? '短い時間'}に相手（${remoteJa(p)}）の${s(p['ports'])}種類の入口を次々に試しました。`
        : `${dev(p)}が、${u.minutes(p['minutes'], 'ja') ?? '短い時間'}に${u.machines(p['hosts'], 'ja') ?? '多数'}の${p['lan'] === true ? '社内の' : '外部の'}機器へ、同じ種類の接続（番号${s(p['port'])}）を次々に試しました。`,
      why: 'ウイルスは、感染を広げるために入り込める機器を探して回ります。社内のほかのパソコンやサーバーにも被害が広がるおそれがあります。',
      did: 'この通信はまだ止めていません。記録を取り、監視センターに知らせました。',
      todo: UNPLUG_JA,
    }),
    en: (p) => ({
      title: p['lan'] === true ? 'A device is probing other devices in the office' : 'A device is probing many outside machines',
      what: p['pattern'] === 'ports'
        ? `${devEn(p)} tried ${s(p['ports'])} different entry points on ${remoteEn(p)} within ${u.minutes(p['minutes'], 'en') ?? 'a short time'}.`
        : `${devEn(p)} tried the same kind of connection (port ${s(p['port'])}) to ${u.count(typeof p['hosts'] === 'number' ? p['hosts'] : 0)} ${p['lan'] === true ? 'office' : 'outside'} machines within ${u.minutes(p['minutes'], 'en') ?? 'a short time'}.`,
      why: 'Malware searches for machines it can break into so that it can spread. Other computers and servers in the office may be at risk.',
      did: 'The traffic has not been stopped. It has been recorded and reported to the monitoring centre.',
      todo: UNPLUG_EN,
    }),
  },
  upload: {
    ja: (p) => ({
      title: p['aboveUsual'] === true ? 'いつもより非常に多くのデータが外部へ送られています' : '非常に多くのデータが外部へ送られています',
      what: `${dev(p)}から外部（${remoteJa(p)}）へ、${u.bytes(uploaded(p), 'ja') === undefined ? '' : `約${u.bytes(uploaded(p), 'ja') ?? ''}の`}データが送られました${p['businessHours'] === false ? '（営業時間外です）' : ''}。${p['aboveUsual'] === true ? 'この機器のふだんの量を大きく上回っています。' : ''}`,
      why: '会社の情報を盗み出すとき、攻撃者は大量のデータを外部へ送ります。クラウドへのバックアップなど正当な理由の場合もあるため、心当たりがあるか確認が必要です。',
      did: 'この通信はまだ止めていません。記録を取り、監視センターに知らせました。',
      todo: `心当たりがない場合は、${UNPLUG_JA}ご自身で大きなファイルを送った覚えがある場合は、相談窓口にその旨をお伝えください。`,
    }),
    en: (p) => ({
      title: p['aboveUsual'] === true ? 'Far more data than usual is being sent out' : 'A very large amount of data is being sent out',
      what: `${devEn(p)} sent ${u.bytes(uploaded(p), 'en') === undefined ? 'data' : `about ${u.bytes(uploaded(p), 'en') ?? ''}`} to an outside address (${remoteEn(p)})${p['businessHours'] === false ? ' outside business hours' : ''}.${p['aboveUsual'] === true ? ' That is far above what this device normally sends.' : ''}`,
      why: 'Attackers who steal company information send large amounts of data out. It can also be a legitimate backup or file share, so someone needs to check.',
      did: 'The traffic has not been stopped. It has been recorded and reported to the monitoring centre.',
      todo: `If nobody knows why: ${UNPLUG_EN} If you did send large files on purpose, please tell the help desk.`,
    }),
  },
  long_connection: {
    ja: (p) => ({
      title: '珍しい相手との通信が長時間つながったままです',
      what: `${dev(p)}が、社内でほとんど使われていない外部の相手（${remoteJa(p)}）と${typeof p['hours'] === 'number' ? u.atLeast(p['hours'] * 3600, 'ja') ?? '長い時間' : '長い時間'}つながったままです。`,
      why: '攻撃者が感染した機器を遠くから操作するとき、このように長くつながったままの通信を使うことがあります。',
      did: 'この通信はまだ止めていません。記録を取り、監視センターに知らせました。',
      todo: 'この機器で、リモート操作のソフトや見覚えのないソフトが動いていないか、使っている人に確認してください。心当たりがない場合は、相談窓口に電話してください。',
    }),
    en: (p) => ({
      title: 'A long-lasting connection to an unusual destination',
      what: `${devEn(p)} has stayed connected for ${typeof p['hours'] === 'number' ? u.atLeast(p['hours'] * 3600, 'en') ?? 'a long time' : 'a long time'} to an outside address (${remoteEn(p)}) that almost nobody else in the office uses.`,
      why: 'Attackers who control an infected device remotely often keep a connection like this open.',
      did: 'The traffic has not been stopped. It has been recorded and reported to the monitoring centre.',
      todo: 'Ask the person using this device whether remote-control or unfamiliar software is running. If nobody knows, call the help desk.',
    }),
  },
  threat_contact: {
    ja: (p) => ({
      title: p['inbound'] === true ? '危険と知られている相手からの接続に、社内の機器が応答しました' : '危険と知られている相手と実際に通信しました',
      what: p['inbound'] === true
        ? `危険な相手として登録されている外部のアドレス（${remoteJa(p)}）が${dev(p)}に接続してきて、この機器が応答しました。`
        : `${dev(p)}が、危険な相手として登録されている外部のアドレス（${remoteJa(p)}）と実際に通信しました。`,
      why: p['inbound'] === true
        ? 'この相手は、ほかのネットワークへの攻撃などに使われていると報告されています。インターネットから入れるようにしてある機器が、入り込めないか試されています。'
        : 'この相手は、ウイルスの配布や遠隔操作などに使われていると報告されています。ウイルス対策ソフトが何も見つけていなくても、感染しているおそれがあります。',
      did: p['watchOnly'] === true
        ? 'この相手は「見張るだけ」の設定のため、通信は止めていません。記録を取り、監視センターに知らせました。'
        : 'この相手が危険と分かった時点で、以後の通信を止めました。ただし、すでに行われた通信は取り消せません。監視センターに知らせました。',
      todo: p['inbound'] === true
        ? 'この機器をインターネットから使えるようにしている理由（在宅勤務用の入口など）を確認し、相談窓口に電話してください。パスワードが推測されにくいものかも確かめてください。'
        : UNPLUG_JA,
    }),
    en: (p) => ({
      title: p['inbound'] === true ? 'A device answered a connection from a known-dangerous address' : 'A device actually talked to a known-dangerous address',
      what: p['inbound'] === true
        ? `An outside address listed as dangerous (${remoteEn(p)}) connected to ${deviceEn(p)}, and the device answered.`
        : `${devEn(p)} exchanged data with an outside address (${remoteEn(p)}) that is listed as dangerous.`,
      why: p['inbound'] === true
        ? 'This address is reported to be used to attack other networks. A device reachable from the internet is being tried for a way in.'
        : 'This address is reported to be used for spreading malware or controlling infected machines. The device may be infected even if its antivirus found nothing.',
      did: p['watchOnly'] === true
        ? 'This address is on a watch-only list, so the traffic was not stopped. It has been recorded and reported to the monitoring centre.'
        : 'The box blocks this address from now on, but traffic that already happened cannot be undone. The monitoring centre has been informed.',
      todo: p['inbound'] === true
        ? 'Check why this device is reachable from the internet (for example, remote work access), make sure its passwords are hard to guess, and call the help desk.'
        : UNPLUG_EN,
    }),
  },
  threat_repeat: {
    ja: (p) => ({
      title: '危険な相手に何度も接続しようとしている機器があります',
      what: `${dev(p)}が、危険な相手として登録されているアドレスへ、${u.minutes(p['minutes'], 'ja') ?? '短い時間'}に${u.times(p['attempts'], 'ja') ?? '何度も'}接続しようとしました。`,
      why: '通信はこの装置が止めていますが、人の操作ではなく、機器の中のソフトが勝手に繰り返し接続しようとしていると考えられます。無料ソフトなどに紛れ込んだ不正なプログラムの可能性があります。',
      did: 'この装置がすべての接続を止めています。監視センターに知らせました。',
      todo: '止めているので急ぐ必要はありませんが、この機器を調べる必要があります。最近入れたソフトに心当たりがないか確認し、相談窓口に電話してください。',
    }),
    en: (p) => ({
      title: 'A device keeps trying to reach a dangerous address',
      what: `${devEn(p)} tried ${u.times(p['attempts'], 'en') ?? 'repeatedly'} in ${u.minutes(p['minutes'], 'en') ?? 'a short time'} to connect to addresses listed as dangerous.`,
      why: 'The box is blocking it, but the repetition means software on the device is doing this on its own, not a person. Free software sometimes carries such hidden programs.',
      did: 'The box blocked every attempt and informed the monitoring centre.',
      todo: 'This is blocked, so there is no need to rush, but the device must be checked. Think about any software installed recently, and call the help desk.',
    }),
  },
  incident: {
    ja: (p) => ({
      title: `${dev(p)}で、関連する不審な動きが続いています`,
      what: `同じ機器で、${s(p['findings'])}件の不審な動きがまとまって見つかりました。ひとつひとつは下の一覧で確認できます。`,
      why: '別々の不審な動きが同じ機器で続いているときは、感染が進んでいる可能性が高くなります。',
      did: '関連する動きをひとつの出来事としてまとめ、監視センターに知らせました。',
      todo: UNPLUG_JA,
    }),
    en: (p) => ({
      title: `Related suspicious activity on ${deviceEn(p)}`,
      what: `${s(p['findings'])} related suspicious events were found on the same device. Each is listed below.`,
      why: 'When several different warning signs appear on one device, it is much more likely that an infection is progressing.',
      did: 'The box grouped the related events into one incident and informed the monitoring centre.',
      todo: UNPLUG_EN,
    }),
  },
};
