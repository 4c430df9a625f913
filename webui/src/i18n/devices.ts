// Staff text of the device list on the page (ja first, en), part of the one message catalog.
// The device alerts themselves are in alerts/devices.ts.
import type { DeviceStatus } from '../../../firmware/src/devices/model.js';
import { DEVICE_KINDS } from './deviceKinds.js';

export const DEVICE_WORDS = {
  ja: {
    heading: '社内のネットワークにつながっている機器',
    learning: (until: string) => `いまは学習期間中です（${until}まで）。この間につながった機器は「いつもの機器」として覚え、お知らせはしません。`,
    none: 'まだ機器を見つけていません。',
    ask: 'この機器に心当たりはありますか？',
    askHelp: '心当たりがあれば「承認する」を、なければ「隔離する」を押してください。隔離すると、その機器はインターネットにも社内のほかの機器にもつながらなくなります。',
    approve: '承認する（心当たりがある）', quarantine: '隔離する', release: '隔離を解除する',
    loginToAct: '承認や隔離をするには、ページ下のログインをしてください。', loginLink: 'ログインへ',
    noName: '名前のない機器', vendor: 'メーカー', vendorClass: '機器が名乗った種類', os: '種類の見立て', status: '状態', firstSeen: 'はじめて見た日時', lastSeen: '最後に見た日時', address: '機器の識別番号', ip: 'ネットワーク上の番号',
    privateMac: '（スマートフォンなどが使う、一時的な識別番号です）', phone: '私物のスマートフォンかもしれません。', eol: 'サポートが終了した古いパソコンのようです。ウイルスに感染しやすく危険です。',
    unknownVendor: '不明', unknownOs: '分かりません',
    statuses: { learning: 'いつもの機器（学習期間中に記録）', approved: '承認済み', new: '未確認（心当たりの確認待ち）', quarantined: '隔離中' } as Record<DeviceStatus, string>,
    types: DEVICE_KINDS.ja,
    more: (n: number) => `ほかに ${n} 台あります（技術者は utmctl devices で全部を見られます）。`,
  },
  en: {
    heading: 'Devices on the office network',
    learning: (until: string) => `The box is still learning (until ${until}). Devices that join now are remembered as usual devices, without alerts.`,
    none: 'No devices found yet.',
    ask: 'Do you recognise this device?',
    askHelp: 'If you do, press "Approve". If not, press "Quarantine": the device can then reach neither the internet nor other office devices.',
    approve: 'Approve (I recognise it)', quarantine: 'Quarantine', release: 'Release from quarantine',
    loginToAct: 'To approve or quarantine devices, log in at the bottom of the page.', loginLink: 'Log in',
    noName: 'Unnamed device', vendor: 'Maker', vendorClass: 'Kind the device claims', os: 'Best guess', status: 'Status', firstSeen: 'First seen', lastSeen: 'Last seen', address: 'Device ID', ip: 'Network address',
    privateMac: '(a temporary ID, as phones use)', phone: 'This may be someone\'s personal phone.', eol: 'This looks like an old computer whose support has ended. It is easily infected.',
    unknownVendor: 'unknown', unknownOs: 'unknown',
    statuses: { learning: 'Usual device (seen while learning)', approved: 'Approved', new: 'Not yet confirmed', quarantined: 'Quarantined' } as Record<DeviceStatus, string>,
    types: DEVICE_KINDS.en,
    more: (n: number) => `${n} more (a technician sees all with utmctl devices).`,
  },
} as const;
