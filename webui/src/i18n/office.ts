// Staff text of the office page's layout (issue 12), ja first, en: the four questions (is the
// office safe, what must I do, whom do I call, what happened this week), the question asked
// about a new device, the 対応済み form, results of actions, the refresh control. Part of the
// one message catalog; words follow glossary.ts.
import type { DecisionAction, Tone } from '../office/model.js';
import type { Lang } from './types.js';

export type DoneAction = 'approve' | 'quarantine' | 'release' | 'ack';

export interface OfficeWords {
  h1: string;
  todoHeading: string;
  todoNone: string;
  tone: Record<Tone, string>;
  ask: string;
  askHelp: string;
  approve: string;
  reject: string;
  rejectConfirm: string;
  rejectButton: string;
  approveConfirm: string;
  approveButton: string;
  release: string;
  ack: string;
  ackHelp: string;
  ackNote: string;
  ackButton: string;
  loginToAct: string;
  done: Record<DoneAction, string>;
  handled: (who: string, when: string) => string;
  decided: Record<'approved' | 'quarantined' | 'learning' | 'new', string>;
  /** A history line's words for one decision on a device, and who took it. */
  decision: (action: DecisionAction, who: string) => string;
  /** Beside a quarantine notice once the device has been released (or approved). */
  quarantineOver: string;
  note: string;
  historyHeading: string;
  historyNone: string;
  weekHeading: string;
  weekWords: (w: { blocked: number; alerts: number; danger: number; newDevices: number; days: number }) => string;
  weekChart: (total: number) => string;
  weekNoData: string;
  devicesHeading: (n: number, waiting: number) => string;
  deviceGiven: string;
  staffLabel: string;
  incidentDevice: string;
  related: string;
  moreInfo: string;
  groupCount: (alerts: number, devices: number) => string;
  groupMore: (n: number) => string;
  reportLink: string;
  refreshPause: string;
  refreshResume: string;
  refreshPaused: string;
  refreshed: (when: string) => string;
}

export const OFFICE_WORDS: Record<Lang, OfficeWords> = {
  ja: {
    h1: '事務所のネットワークの見守り',
    todoHeading: 'いま、してほしいこと',
    todoNone: 'いま、していただくことはありません。',
    tone: { danger: '危険', answer: 'お答えください', attention: '確認', notice: 'お知らせ' },
    ask: 'この機器に心当たりはありますか？',
    askHelp: '社内の人が使う機器なら「承認する」、見覚えがなければ「心当たりがない」を押してください。',
    approve: '承認する（心当たりがある）',
    reject: '心当たりがない',
    rejectConfirm: 'この機器を隔離します。隔離すると、インターネットにも社内のほかの機器にもつながらなくなります。あとで「隔離を解除する」で元に戻せます。',
    rejectButton: '隔離する',
    approveConfirm: 'この機器を、社内で使ってよい機器として承認します。',
    approveButton: '承認する',
    release: '隔離を解除する',
    ack: '対応済みにする',
    ackHelp: '書かれている対応を済ませたら、対応済みにしてください。この画面の「いまの状態」から外れます。',
    ackNote: 'メモ（任意。例：相談窓口に電話して指示を受けた）',
    ackButton: '対応済みにする',
    loginToAct: '操作するには、ページの下でログインしてください。',
    done: {
      approve: '承認しました。この機器についてのお知らせは終わりです。',
      quarantine: '隔離しました。この機器はインターネットにも社内のほかの機器にもつながりません。',
      release: '隔離を解除しました。',
      ack: '対応済みにしました。下の「これまでの記録」に残っています。',
    },
    handled: (who, when) => `${when} に ${who} さんが対応済みにしました。`,
    decided: { approved: '承認済み', quarantined: '隔離中', learning: 'いつもの機器', new: '未確認' },
    decision: (a, who) => a === 'auto_quarantine'
      ? '決められた設定に従って、この装置が自動で隔離しました'
      : `${who} さんが${{ approve: '承認しました', quarantine: '隔離しました', release: '隔離を解除しました' }[a]}`,
    quarantineOver: 'その後、隔離を解除しました',
    note: 'メモ',
    historyHeading: 'これまでの記録',
    historyNone: 'まだ記録はありません。',
    weekHeading: 'この1週間のできごと',
    weekWords: (w) => w.days === 0
      ? 'まだ集計がありません。明日から、1日ごとの様子をここにお見せします。'
      : `この${w.days}日間に、危険な相手への接続を${w.blocked}回遮断しました。お知らせは${w.alerts}件（うち危険${w.danger}件）、新しくつながった機器は${w.newDevices}台でした。`,
    weekChart: (total) => `1日ごとの遮断した回数（合計${total}回）`,
    weekNoData: '集計なし',
    devicesHeading: (n, waiting) => `社内のネットワークにつながっている機器（${n}台${waiting ? `、うち確認待ち${waiting}台` : ''}）`,
    deviceGiven: '機器が名乗った名前',
    staffLabel: '職員がつけた名前',
    incidentDevice: '対象の機器',
    related: 'この出来事に含まれるお知らせ',
    moreInfo: 'くわしく（何が起きたか・本装置がしたこと・なぜ問題か・連絡先）',
    groupCount: (a, d) => `（${d}台で${a}件）`,
    groupMore: (n) => `ほか${n}件を見る`,
    reportLink: '月次報告書（印刷用）',
    refreshPause: '自動更新を止める',
    refreshResume: '自動更新を再開する',
    refreshPaused: '自動更新を止めています。',
    refreshed: (when) => `${when} に更新しました。`,
  },
  en: {
    h1: 'Office network watch',
    todoHeading: 'What to do now',
    todoNone: 'There is nothing for you to do right now.',
    tone: { danger: 'Danger', answer: 'Please answer', attention: 'Check', notice: 'Note' },
    ask: 'Do you recognise this device?',
    askHelp: 'If someone in the office uses it, press "Approve". If nobody knows it, press "I do not recognise it".',
    approve: 'Approve (I recognise it)',
    reject: 'I do not recognise it',
    rejectConfirm: 'This device will be quarantined: it can then reach neither the internet nor the other office devices. You can undo this later with "Release from quarantine".',
    rejectButton: 'Quarantine',
    approveConfirm: 'This device will be approved as one the office uses.',
    approveButton: 'Approve',
    release: 'Release from quarantine',
    ack: 'Mark as handled',
    ackHelp: 'When you have done what the message asks, mark it as handled. It then no longer counts in "Current state".',
    ackNote: 'Note (optional, e.g. "called the help desk, followed their advice")',
    ackButton: 'Mark as handled',
    loginToAct: 'To act on this, log in at the bottom of the page.',
    done: {
      approve: 'Approved. There will be no more messages about this device.',
      quarantine: 'Quarantined. The device can reach neither the internet nor the other office devices.',
      release: 'Released from quarantine.',
      ack: 'Marked as handled. It is kept under "History" below.',
    },
    handled: (who, when) => `Marked as handled by ${who} on ${when}.`,
    decided: { approved: 'Approved', quarantined: 'Quarantined', learning: 'Usual device', new: 'Not yet confirmed' },
    decision: (a, who) => a === 'auto_quarantine'
      ? 'Quarantined automatically by the box, as its settings require'
      : `${{ approve: 'Approved', quarantine: 'Quarantined', release: 'Released from quarantine' }[a]} by ${who}`,
    quarantineOver: 'since released from quarantine',
    note: 'Note',
    historyHeading: 'History',
    historyNone: 'Nothing recorded yet.',
    weekHeading: 'This week',
    weekWords: (w) => w.days === 0
      ? 'No daily figures yet. From tomorrow this shows each day of the week.'
      : `In the last ${w.days} days the box blocked ${w.blocked} connection attempts to dangerous addresses. There were ${w.alerts} messages (${w.danger} of them danger) and ${w.newDevices} new devices.`,
    weekChart: (total) => `Blocked attempts per day (${total} in all)`,
    weekNoData: 'no data',
    devicesHeading: (n, waiting) => `Devices on the office network (${n}${waiting ? `, ${waiting} waiting for an answer` : ''})`,
    deviceGiven: 'Name the device gave itself',
    staffLabel: 'Name given by staff',
    incidentDevice: 'Device',
    related: 'Messages in this incident',
    moreInfo: 'More (what happened, what the box did, why it matters, whom to call)',
    groupCount: (a, d) => `(${a} on ${d} devices)`,
    groupMore: (n) => `Show ${n} more`,
    reportLink: 'Monthly report (for printing)',
    refreshPause: 'Pause updates',
    refreshResume: 'Resume updates',
    refreshPaused: 'Updates are paused.',
    refreshed: (when) => `Updated at ${when}.`,
  },
};
