// Staff text of the monthly report (issue 12), ja first, en: written to be shown to the
// office's management, who know nothing about networks. Words follow glossary.ts.
import type { Recommendation, Weather } from '../report/model.js';
import { EN_MONTHS_LONG } from './months.js';
import type { Lang } from './types.js';

export interface ReportWords {
  title: (month: string) => string;
  subtitle: (office: string) => string;
  weatherHeading: string;
  weather: Record<Weather, { icon: string; word: string; line: string }>;
  summary: (r: { blocked: number; alerts: number; incidents: number; newDevices: number }) => string;
  blockedHeading: string;
  byCategory: string;
  byDevice: string;
  category: (k: string) => string;
  noDevice: string;
  count: string;
  none: string;
  dailyChart: (total: number) => string;
  incidentsHeading: string;
  incidentWhen: string;
  incidentWhat: string;
  incidentDone: string;
  handled: (who: string, note: string | null) => string;
  actions: Record<string, string>;
  notHandled: string;
  kinds: (kinds: readonly string[]) => string;
  devicesHeading: string;
  newDevices: string;
  eolDevices: string;
  quarantinedDevices: string;
  upstreamHeading: string;
  upstream: (percent: string | null, daysBelow: number) => string;
  recommendationsHeading: string;
  recommendation: (r: Recommendation) => string;
  /** Where the figures come from; `pending` days (today, say) are counted up to `when`, not yet sent. */
  source: (s: 'snapshot' | 'live', complete: boolean, days: number, inMonth: number, when: string, pending: number) => string;
  print: string;
  back: string;
  otherMonth: string;
  noReport: string;
}

const CAT_JA: Record<string, string> = {
  malware: 'ウイルスの配布元', c2: '乗っ取った機器に指令を出すサーバー', phishing: '偽のサイト（パスワードの盗み取り）', attack: '攻撃をしかけてくる相手',
  spam: '迷惑メールの送信元', botnet: '乗っ取られた機器の集まり', bruteforce: 'パスワードの総当たりをする相手', compromised: '乗っ取られたサーバー',
  hijacked: '乗っ取られたネットワーク', scanner: '無差別に探りを入れてくる相手', local: 'この装置の一覧にある相手', manual: '技術者が登録した相手',
};
const CAT_EN: Record<string, string> = {
  malware: 'virus distribution', c2: 'servers that command infected machines', phishing: 'fake websites (password theft)', attack: 'attackers',
  spam: 'spam senders', botnet: 'networks of hijacked machines', bruteforce: 'password guessers', compromised: 'hijacked servers',
  hijacked: 'hijacked networks', scanner: 'indiscriminate probing', local: "this box's own list", manual: 'added by the technician',
};
const KIND_JA: Record<string, string> = {
  beacon: '外部の同じ相手とのくり返しの通信', upload: '大量のデータ送信', mail_abuse: 'メールの大量送信', scan: 'ほかの機器を調べる動き', long_connection: '長時間の通信',
  threat_contact: '危険な相手との通信', threat_repeat: '危険な相手への接続の繰り返し', blocklist_hit: '危険な相手への接続（遮断）',
  device_quarantined: '機器の隔離', dhcp_name_refused: '使ってはいけない名前を名乗る機器',
};
const KIND_EN: Record<string, string> = {
  beacon: 'repeated contact with one outside address', upload: 'large upload', mail_abuse: 'bulk mail', scan: 'probing other machines', long_connection: 'long connection',
  threat_contact: 'contact with a dangerous address', threat_repeat: 'repeated attempts to reach a dangerous address', blocklist_hit: 'attempt to reach a dangerous address (blocked)',
  device_quarantined: 'device quarantined', dhcp_name_refused: 'device asking for a name it may not use',
};

export const REPORT_WORDS: Record<Lang, ReportWords> = {
  ja: {
    title: (m) => `${m.slice(0, 4)}年${Number(m.slice(5, 7))}月の見守り報告書`,
    subtitle: (o) => `お助けUTM（装置ID ${o}）`,
    weatherHeading: 'この月のお天気',
    weather: {
      sunny: { icon: '☀', word: '晴れ', line: '心配なできごとはありませんでした。' },
      cloudy: { icon: '☁', word: 'くもり', line: '危険な相手への接続などがありましたが、本装置が止めるか、確認が済んでいます。' },
      rainy: { icon: '☂', word: '雨', line: '感染が疑われるできごとがありました。下の「できごとと対応」をご確認ください。' },
    },
    summary: (r) => `この月、本装置は危険な相手への接続を${r.blocked}回遮断しました。お知らせは${r.alerts}件、まとめて対応したできごとは${r.incidents}件、新しくつながった機器は${r.newDevices}台でした。`,
    blockedHeading: '遮断した接続',
    byCategory: '相手の種類ごと',
    byDevice: '社内の機器ごと（多い順）',
    category: (k) => CAT_JA[k] ?? `その他（${k}）`,
    noDevice: '機器の特定なし',
    count: '回数',
    none: 'ありませんでした。',
    dailyChart: (t) => `1日ごとの遮断した回数（合計${t}回）`,
    incidentsHeading: 'できごとと対応',
    incidentWhen: '日時',
    incidentWhat: '内容',
    incidentDone: 'したこと',
    handled: (who, note) => `${who} さんが対応済みにしました${note ? `（メモ：${note}）` : ''}`,
    actions: { approve: '承認', quarantine: '隔離', release: '隔離の解除', auto_quarantine: '自動で隔離' },
    notHandled: 'まだ対応済みになっていません',
    kinds: (k) => k.map((x) => KIND_JA[x] ?? (x.startsWith('new_device') ? '新しい機器' : x)).join('、'),
    devicesHeading: '機器',
    newDevices: '新しくつながった機器',
    eolDevices: 'サポートが終了した機器（買い替えをおすすめします）',
    quarantinedDevices: '隔離中の機器',
    upstreamHeading: '監視センターとの接続',
    upstream: (p, below) => p === null ? 'この月は接続の記録がありません。' : `監視センターとつながっていた時間は${p}%でした。${below ? `つながりにくい日が${below}日ありました。` : '途切れた日はありませんでした。'}`,
    recommendationsHeading: 'おすすめすること',
    recommendation: (r) => {
      switch (r.key) {
        case 'replaceEol': return `サポートが終了した古い機器が${r.n}台あります。ウイルスに感染しやすいため、買い替えをご検討ください。`;
        case 'handleOpen': return `まだ対応済みになっていないできごとが${r.n}件あります。内容を確認し、必要なら相談窓口にご相談ください。`;
        case 'answerNew': return `心当たりの確認を待っている機器が${r.n}台あります。画面で「承認する」か「心当たりがない」を選んでください。`;
        case 'reviewQuarantined': return `隔離中の機器が${r.n}台あります。使う予定がなければそのままに、必要なら相談窓口に確認のうえ隔離を解除してください。`;
        case 'checkLine': return `監視センターとの接続が${r.percent}%にとどまりました。インターネット回線やルーターの不調がないか、相談窓口にご相談ください。`;
        case 'phishing': return `偽のサイトへの接続を${r.n}回遮断しました。メールのリンクを開く前に送り主を確かめるよう、社内で声をかけてください。`;
        case 'updates': return 'パソコンやスマートフォンの更新（アップデート）は、通知が来たら早めに済ませてください。';
        case 'backups': return '大事なファイルは、ネットワークから外せる場所にも定期的に保存（バックアップ）してください。';
        case 'passwords': return '同じパスワードを使い回さず、大事なサービスには2段階の確認を設定してください。';
      }
    },
    source: (s, complete, days, inMonth, when, pending) => `${complete ? '' : `月の途中の集計で、${when} 時点までの数です。`}${days}日分（${inMonth}日中）の記録から作成しました。${pending === 0 ? '数字は毎日監視センターへ送った集計と同じものです。' : `そのうち${pending}日分（今日の分など）は、まだ監視センターへ送っていないため、この時点までの数です。${pending < days ? 'ほかの日は毎日監視センターへ送った集計と同じです。' : ''}`}${s === 'snapshot' ? `月末の時点で保存した報告書です（${when}）。` : complete ? `${when} 時点で作成しました。` : ''}`,
    print: '印刷する（PDFにも保存できます）',
    back: '画面に戻る',
    otherMonth: '前の月',
    noReport: 'この月の記録はありません。',
  },
  en: {
    title: (m) => `Network watch report, ${EN_MONTHS_LONG[Number(m.slice(5, 7)) - 1] ?? m.slice(5, 7)} ${m.slice(0, 4)}`,
    subtitle: (o) => `Otasuke UTM (device ID ${o})`,
    weatherHeading: "This month's weather",
    weather: {
      sunny: { icon: '☀', word: 'Sunny', line: 'Nothing worrying happened.' },
      cloudy: { icon: '☁', word: 'Cloudy', line: 'There were attempts to reach dangerous addresses and the like, but the box stopped them or they have been checked.' },
      rainy: { icon: '☂', word: 'Rainy', line: 'Something suggested an infection. Please read "Incidents and what was done" below.' },
    },
    summary: (r) => `This month the box blocked ${r.blocked} connection attempts to dangerous addresses. There were ${r.alerts} messages, ${r.incidents} incidents, and ${r.newDevices} new devices.`,
    blockedHeading: 'Blocked connections',
    byCategory: 'By kind of address',
    byDevice: 'By office device (most first)',
    category: (k) => CAT_EN[k] ?? `other (${k})`,
    noDevice: 'device not known',
    count: 'Times',
    none: 'None.',
    dailyChart: (t) => `Blocked attempts per day (${t} in all)`,
    incidentsHeading: 'Incidents and what was done',
    incidentWhen: 'When',
    incidentWhat: 'What',
    incidentDone: 'What was done',
    handled: (who, note) => `marked as handled by ${who}${note ? ` (note: ${note})` : ''}`,
    actions: { approve: 'approved', quarantine: 'quarantined', release: 'released', auto_quarantine: 'quarantined automatically' },
    notHandled: 'not yet marked as handled',
    kinds: (k) => k.map((x) => KIND_EN[x] ?? (x.startsWith('new_device') ? 'new device' : x)).join(', '),
    devicesHeading: 'Devices',
    newDevices: 'New devices',
    eolDevices: 'Devices whose support has ended (replace them)',
    quarantinedDevices: 'Quarantined devices',
    upstreamHeading: 'Link to the monitoring centre',
    upstream: (p, below) => p === null ? 'No record of the link this month.' : `The box was connected to the monitoring centre ${p}% of the time.${below ? ` The link was poor on ${below} days.` : ' It was never cut.'}`,
    recommendationsHeading: 'What we recommend',
    recommendation: (r) => {
      switch (r.key) {
        case 'replaceEol': return `${r.n} old devices no longer get security updates. They are easily infected: please plan to replace them.`;
        case 'handleOpen': return `${r.n} incidents are not yet marked as handled. Please check them, and ask the help desk if needed.`;
        case 'answerNew': return `${r.n} devices are waiting for an answer. On the page, press "Approve" or "I do not recognise it".`;
        case 'reviewQuarantined': return `${r.n} devices are quarantined. Leave them so if nobody needs them; otherwise check with the help desk and release them.`;
        case 'checkLine': return `The link to the monitoring centre was up only ${r.percent}% of the time. Please ask the help desk to check the internet line and router.`;
        case 'phishing': return `The box blocked ${r.n} attempts to reach fake websites. Remind staff to check who sent an e-mail before opening its links.`;
        case 'updates': return 'Install updates on computers and phones soon after they are offered.';
        case 'backups': return 'Keep copies (backups) of important files somewhere that can be disconnected from the network.';
        case 'passwords': return 'Do not reuse passwords, and turn on two-step sign-in for important services.';
      }
    },
    source: (s, complete, days, inMonth, when, pending) => `${complete ? '' : `The month is not over yet: figures up to ${when}. `}Made from ${days} ${days === 1 ? 'day' : 'days'} of records (of ${inMonth}). ${pending === 0 ? 'The figures are the same daily statistics sent to the monitoring centre.' : `${pending === 1 ? 'One of these days (today, for example) has' : `${pending} of these days (today, for example) have`} not been sent to the monitoring centre yet and ${pending === 1 ? 'is' : 'are'} counted up to this moment${pending < days ? '; the other days are the same daily statistics sent to the centre' : ''}.`}${s === 'snapshot' ? ` Stored at the end of the month (${when}).` : complete ? ` Made at ${when}.` : ''}`,
    print: 'Print (or save as PDF)',
    back: 'Back to the page',
    otherMonth: 'Previous month',
    noReport: 'There are no records for this month.',
  },
};
