// Wording of what the box tells the monitoring centre on its own (condition failures and
// recoveries, heartbeats, daily statistics) and of the upstream state on the page: the office
// banner when nothing reaches the centre, and the technician's upstream section. Plain text:
// the output layer (HTML, syslog, terminal) escapes it.
import type { Lang } from './types.js';

/** A duration for people: "3時間12分" / "3 h 12 min". */
export function durationText(ms: number, lang: Lang): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (lang === 'ja') {
    if (d) return `${d}日${h}時間`;
    if (h) return `${h}時間${m}分`;
    if (m) return `${m}分`;
    return `${s}秒`;
  }
  if (d) return `${d} d ${h} h`;
  if (h) return `${h} h ${m} min`;
  if (m) return `${m} min`;
  return `${s} s`;
}

const SENSORS: Record<string, { ja: string; en: string }> = {
  ulogd: { ja: '通信の見張り（ulogd2）', en: 'traffic monitoring (ulogd2)' },
  dnsmasq: { ja: '社内の機器へのアドレス配布（dnsmasq）', en: 'address hand-out to office devices (dnsmasq)' },
  capture: { ja: '機器の見分けと通信先の名前の記録（tcpdump）', en: 'device recognition and the names of outside servers (tcpdump)' },
};

const FIXED: Record<string, { ja: string; en: string }> = {
  ruleset: { ja: '守りの設定（ファイアウォール）', en: 'the protection rules (firewall)' },
  network: { ja: 'ネットワークの設定', en: 'the network setup' },
  provisioning: { ja: '監視センターの連絡先の設定', en: 'the monitoring-centre settings' },
  upstream: { ja: '監視センターへの連絡', en: 'the link to the monitoring centre' },
  'loss:ulogd': { ja: '通信の記録（取りこぼし）', en: 'traffic records (some were lost)' },
  'devices:fingerprints': { ja: '機器の種類の見分け表', en: 'the device fingerprint table' },
  'devices:quarantine': { ja: '機器の隔離', en: 'device quarantine' },
  'devices:oui': { ja: 'メーカー名の一覧', en: 'the vendor registry' },
  page: { ja: '本装置の画面（ブラウザで開くページ）', en: 'the status page of this box' },
  control: { ja: '技術者用の操作（utmctl）の受け付け', en: 'the technician commands (utmctl)' },
  ports: { ja: 'つなぎ口（ポート）の見分け', en: 'the port roles (which cable is which)' },
  disk: { ja: '記録をしまう場所の空き', en: 'free space for the records' },
  storage: { ja: '記録の書き込み', en: 'writing the records' },
  'runtime-dir': { ja: '作業用の一時領域（/run）の空き', en: 'free working space in memory (/run)' },
};

/** The condition in plain words, naming the sensor, feed or part: "通信の見張り（ulogd2）". */
export function conditionName(id: string, lang: Lang): string {
  const fixed = FIXED[id];
  if (fixed) return fixed[lang];
  if (id.startsWith('sensor:')) {
    const [name = '', iface] = id.slice(7).split(':');
    const s = SENSORS[name];
    const base = s ? s[lang] : lang === 'ja' ? `見張りの仕組み「${name}」` : `sensor "${name}"`;
    return iface ? `${base}${lang === 'ja' ? `・${iface}` : ` on ${iface}`}` : base;
  }
  if (id.startsWith('feed:')) return lang === 'ja' ? `危険リスト「${id.slice(5)}」` : `blocklist feed "${id.slice(5)}"`;
  return id;
}

/** What the centre reads when a condition fails or recovers. */
export function conditionText(e: { type: 'failure' | 'recovery'; id: string; failedAt: number; at: number; detail: string }, lang: Lang): string {
  const name = conditionName(e.id, lang);
  if (lang === 'ja') {
    return e.type === 'failure'
      ? `【異常】${name}に問題が起きました（${e.id}）。詳細: ${e.detail || 'なし'}`
      : `【復旧】${name}は正常に戻りました（${e.id}）。異常が続いた時間: ${durationText(e.at - e.failedAt, lang)}`;
  }
  return e.type === 'failure'
    ? `[FAILED] ${name[0]?.toUpperCase() ?? ''}${name.slice(1)} has a problem (${e.id}). Detail: ${e.detail || 'none'}`
    : `[RECOVERED] ${name[0]?.toUpperCase() ?? ''}${name.slice(1)} is working again (${e.id}). It was down for ${durationText(e.at - e.failedAt, lang)}`;
}

/** One line about the box for the heartbeat. */
export function heartbeatText(f: { uptimeMs: number; queueDepth: number | null; failing: readonly string[] }, lang: Lang): string {
  const failing = f.failing.map((id) => conditionName(id, lang));
  if (lang === 'ja') {
    return `定期連絡: 稼働中（起動から${durationText(f.uptimeMs, lang)}）。送信待ち${f.queueDepth ?? '-'}件。`
      + (failing.length ? `異常: ${failing.join('、')}` : '異常はありません。');
  }
  return `Heartbeat: running for ${durationText(f.uptimeMs, lang)}, ${f.queueDepth ?? '-'} message(s) waiting. `
    + (failing.length ? `Failing: ${failing.join(', ')}` : 'Nothing is failing.');
}

/** The plain summary of a day's statistics. */
export function statsText(s: { day: string; alerts: { total: number; bySeverity: { danger: number } }; blocked: { total: number };
  devices: { seen: number; new: number; quarantined: number }; upstream: { availability: number | null } }, lang: Lang): string {
  const avail = s.upstream.availability === null ? '-' : `${(s.upstream.availability * 100).toFixed(2)}%`;
  if (lang === 'ja') {
    return `${s.day}の集計: お知らせ${s.alerts.total}件（危険${s.alerts.bySeverity.danger}件）、止めた通信${s.blocked.total}回、`
      + `見かけた機器${s.devices.seen}台（新しい機器${s.devices.new}台、隔離${s.devices.quarantined}台）、監視センターとの接続${avail}`;
  }
  return `Statistics for ${s.day}: ${s.alerts.total} alert(s) (${s.alerts.bySeverity.danger} dangerous), ${s.blocked.total} blocked attempt(s), `
    + `${s.devices.seen} device(s) seen (${s.devices.new} new, ${s.devices.quarantined} quarantined), link to the centre up ${avail}`;
}

export interface UpstreamUiStrings {
  silentHeadline: string;
  silentWhat: (sinceText: string, waiting: number) => string;
  silentDid: string;
  silentTodo: string;
  heading: string;
  transport: string;
  peer: string;
  certificate: string;
  connected: string;
  yes: string;
  no: string;
  since: string;
  lastConfirmed: string;
  queue: string;
  oldestWaiting: string;
  overflow: string;
  lastError: string;
  nextSeq: string;
  state: string;
  stateText: Record<'ok' | 'silent' | 'none', string>;
  none: string;
}

export const UPSTREAM_UI: Record<Lang, UpstreamUiStrings> = {
  ja: {
    silentHeadline: '監視センターに連絡が届いていません。相談窓口に電話してください',
    silentWhat: (since, waiting) => `${since}前から、本装置からのお知らせが24時間監視センターに届いていません（届いていないお知らせ: ${waiting}件）。`,
    silentDid: '危険な通信を止める働きは続いています。お知らせは本装置の中に保管していて、連絡がつきしだい送ります。',
    silentTodo: 'その間、監視センターはこの事務所の様子が分かりません。下の相談窓口に電話して、この画面の内容を伝えてください。',
    heading: '監視センターへの連絡（技術者向け）',
    transport: '送信方式',
    peer: '送信先',
    certificate: '相手の証明書（SHA-256）',
    connected: '接続',
    yes: '接続中',
    no: '未接続',
    since: 'いつから',
    lastConfirmed: '最後に届いたことを確認した番号',
    queue: '送信待ち',
    oldestWaiting: 'いちばん古い送信待ち',
    overflow: 'あふれて捨てたお知らせ',
    lastError: '最後のエラー',
    nextSeq: '次の番号',
    state: '状態',
    stateText: { ok: '正常', silent: '届いていません', none: '送信先が設定されていません' },
    none: 'なし',
  },
  en: {
    silentHeadline: 'Messages are not reaching the monitoring centre. Please call the help desk.',
    silentWhat: (since, waiting) => `For ${since}, messages from this box have not reached the 24-hour monitoring centre (${waiting} waiting).`,
    silentDid: 'Dangerous traffic is still being stopped. The messages are kept inside this box and will be sent as soon as the centre can be reached.',
    silentTodo: 'Meanwhile the monitoring centre cannot see what happens in your office. Call the help desk below and tell them what this page says.',
    heading: 'Link to the monitoring centre (for technicians)',
    transport: 'Transport',
    peer: 'Collector',
    certificate: 'Collector certificate (SHA-256)',
    connected: 'Connection',
    yes: 'connected',
    no: 'not connected',
    since: 'since',
    lastConfirmed: 'Last confirmed sequence number',
    queue: 'Waiting',
    oldestWaiting: 'Oldest waiting',
    overflow: 'Dropped on overflow',
    lastError: 'Last error',
    nextSeq: 'Next sequence number',
    state: 'State',
    stateText: { ok: 'OK', silent: 'not reaching the centre', none: 'no collector configured' },
    none: 'none',
  },
};
