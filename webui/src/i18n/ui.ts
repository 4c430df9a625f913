// Fixed wording of the page itself (not alerts), Japanese and English.
import type { Overview } from '../model/model.js';
import type { Lang } from './types.js';

type State = Overview['state'];

export interface UiStrings {
  htmlTitle: string;
  productName: string;
  productTagline: string;
  switchLang: { label: string; href: string; lang: Lang };
  state: Record<State, { headline: string; advice: string; icon: string }>;
  stateLabel: string;
  deskHeading: string;
  deskNone: string;
  deskPhone: string;
  deskHours: string;
  alertsHeading: string;
  alertsNone: string;
  alertWhat: string;
  alertWhy: string;
  alertDid: string;
  alertTodo: string;
  alertCall: string;
  severity: Record<'info' | 'warning' | 'danger', string>;
  times: (n: number) => string;
  techHeading: string;
  techConditions: string;
  techCondition: string;
  techStatus: string;
  techSince: string;
  techDetail: string;
  techOk: string;
  techNg: string;
  techMode: string;
  modes: Record<Overview['mode'], string>;
  techDeviceId: string;
  techStartedAt: string;
  techHealthLink: string;
  loginHeading: string;
  loginHelp: string;
  loginPassword: string;
  loginButton: string;
  loginFailed: string;
  loggedInAs: (user: string) => string;
  logoutButton: string;
  tooManyAttempts: string;
  backToPage: string;
  updatedAt: (when: string) => string;
  autoRefresh: string;
  notLoggedIn: string;
  forbidden: string;
  badRequest: string;
  notFound: string;
  serverError: string;
}

export const UI: Record<Lang, UiStrings> = {
  ja: {
    htmlTitle: 'ネットワークの見守り | お助けUTM',
    productName: 'お助けUTM',
    productTagline: '事務所のネットワークの見守り装置',
    switchLang: { label: 'English', href: '/?lang=en', lang: 'en' },
    state: {
      safe: { headline: '安全です', advice: 'いま、対応が必要なことはありません。いつも通りお仕事を続けてください。', icon: '✓' },
      attention: { headline: '確認が必要です', advice: '下のお知らせを読んで、書かれている対応をお願いします。', icon: '!' },
      danger: { headline: '危険です', advice: '危険な通信が見つかりました。下のお知らせを読んで、すぐに相談窓口へ連絡してください。', icon: '✕' },
    },
    stateLabel: 'いまの状態',
    deskHeading: '困ったときの連絡先',
    deskNone: '相談窓口の連絡先が設定されていません。この装置を設置した会社にご連絡ください。',
    deskPhone: '電話',
    deskHours: '受付時間',
    alertsHeading: '最近のお知らせ（新しい順）',
    alertsNone: 'お知らせはありません。',
    alertWhat: '何が起きたか',
    alertWhy: 'なぜ問題か',
    alertDid: '本装置がしたこと',
    alertTodo: 'してほしいこと',
    alertCall: '連絡先',
    severity: { info: 'お知らせ', warning: '注意', danger: '危険' },
    times: (n) => `${n}回`,
    techHeading: '技術者向けの情報',
    techConditions: '監視の状態',
    techCondition: '項目',
    techStatus: '状態',
    techSince: 'いつから',
    techDetail: '詳細',
    techOk: '正常',
    techNg: '異常',
    techMode: '動作モード',
    modes: { bridge: 'ブリッジ（透過型）', router: 'ルーター' },
    techDeviceId: '装置ID',
    techStartedAt: '起動時刻',
    techHealthLink: '状態をJSONで見る（/api/health）',
    loginHeading: '管理者のログイン',
    loginHelp: '機器の承認や隔離などの操作をするときだけ、ログインが必要です。',
    loginPassword: 'パスワード',
    loginButton: 'ログイン',
    loginFailed: 'パスワードが違います。もう一度入力してください。',
    loggedInAs: (user) => `${user} としてログインしています。`,
    logoutButton: 'ログアウト',
    tooManyAttempts: 'パスワードの入力に何度も失敗したため、しばらくログインできません。時間をおいてからお試しください。',
    backToPage: '画面に戻る',
    updatedAt: (when) => `${when} 時点の情報です。`,
    autoRefresh: 'この画面は自動で新しくなります。',
    notLoggedIn: 'この操作にはログインが必要です。',
    forbidden: 'この操作は受け付けられませんでした。画面を開き直してから、もう一度お試しください。',
    badRequest: '送られた内容を読み取れませんでした。画面を開き直してから、もう一度お試しください。',
    notFound: 'お探しのページは見つかりませんでした。',
    serverError: '一時的に表示できませんでした。少し待ってから、画面を開き直してください。',
  },
  en: {
    htmlTitle: 'Network watch | Otasuke UTM',
    productName: 'Otasuke UTM',
    productTagline: 'Keeps watch over your office network',
    switchLang: { label: '日本語', href: '/?lang=ja', lang: 'ja' },
    state: {
      safe: { headline: 'All is safe', advice: 'Nothing needs doing right now. Please carry on as usual.', icon: '✓' },
      attention: { headline: 'Please check', advice: 'Read the messages below and do what they ask.', icon: '!' },
      danger: { headline: 'Danger', advice: 'Dangerous traffic was found. Read the messages below and call the help desk now.', icon: '✕' },
    },
    stateLabel: 'Current state',
    deskHeading: 'Who to call for help',
    deskNone: 'No help desk has been set up. Please ask the company that installed this box.',
    deskPhone: 'Phone',
    deskHours: 'Hours',
    alertsHeading: 'Recent messages (newest first)',
    alertsNone: 'There are no messages.',
    alertWhat: 'What happened',
    alertWhy: 'Why it matters',
    alertDid: 'What this box did',
    alertTodo: 'What to do now',
    alertCall: 'Whom to call',
    severity: { info: 'Note', warning: 'Warning', danger: 'Danger' },
    times: (n) => `${n} times`,
    techHeading: 'For technicians',
    techConditions: 'Monitoring conditions',
    techCondition: 'Item',
    techStatus: 'Status',
    techSince: 'Since',
    techDetail: 'Detail',
    techOk: 'OK',
    techNg: 'FAILED',
    techMode: 'Mode',
    modes: { bridge: 'Bridge (transparent)', router: 'Router' },
    techDeviceId: 'Device ID',
    techStartedAt: 'Started',
    techHealthLink: 'Health as JSON (/api/health)',
    loginHeading: 'Administrator login',
    loginHelp: 'You only need to log in to approve or quarantine devices.',
    loginPassword: 'Password',
    loginButton: 'Log in',
    loginFailed: 'Wrong password. Please try again.',
    loggedInAs: (user) => `Logged in as ${user}.`,
    logoutButton: 'Log out',
    tooManyAttempts: 'Too many wrong passwords. Please wait a while and try again.',
    backToPage: 'Back to the page',
    updatedAt: (when) => `Information as of ${when}.`,
    autoRefresh: 'This page refreshes itself.',
    notLoggedIn: 'You need to log in for this.',
    forbidden: 'This request was refused. Please reload the page and try again.',
    badRequest: 'The request could not be read. Please reload the page and try again.',
    notFound: 'This page does not exist.',
    serverError: 'The page cannot be shown right now. Please wait a moment and reload.',
  },
};

/** Picks the page language: explicit query, then cookie, then the provisioned default. */
export function pickLang(query: unknown, cookie: string | undefined, fallback: Lang): Lang {
  if (query === 'ja' || query === 'en') return query;
  if (cookie === 'ja' || cookie === 'en') return cookie;
  return fallback;
}
