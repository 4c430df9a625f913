// Messages about blocklist feeds, plus the plain-language phrase for each feed category
// (used by the `blocklist_hit` text, which the alert pipeline owns).
// Params of `feed_fault`:
//   feedNameJa, feedNameEn: display name of the feed (falls back to feedId)
//   feedId: catalog id
//   reason: a FeedFaultReason (feedHealth.ts) or FeedFetchFailure (fetch.ts)
//   keptEntries: how many entries of the last good version stay in force
import type { Category } from '../../../../firmware/src/config/feedCatalog.js';
import type { AlertParams } from '../../../../firmware/src/alerts/types.js';
import type { AlertCatalog, Lang } from '../types.js';
import { count } from '../units.js';

/** What a listed address is, in words an office worker understands. */
export const categoryPhrase: Record<Category, Record<Lang, string>> = {
  c2: {
    ja: 'ウイルスに感染したパソコンが連絡を取る、犯罪者のサーバー',
    en: 'a criminal server that virus-infected computers contact for instructions',
  },
  malware: { ja: 'ウイルスを配っている場所', en: 'a place that hands out viruses' },
  spam: { ja: '迷惑メールを送りつけている相手', en: 'a sender of junk e-mail' },
  scanner: {
    ja: 'インターネット中を手当たり次第に調べて、侵入口を探している相手',
    en: 'a machine that probes the internet at random, looking for a way in',
  },
  botnet: {
    ja: '乗っ取ったパソコンの集団を操る、犯罪者のサーバー',
    en: 'a criminal server that controls a crowd of hijacked computers',
  },
  bruteforce: {
    ja: 'パスワードを片っ端から試して侵入しようとする相手',
    en: 'a machine that tries password after password to break in',
  },
  compromised: {
    ja: '乗っ取られて悪用されているコンピューター',
    en: 'a computer that has been taken over and is being misused',
  },
  hijacked: {
    ja: '犯罪者が乗っ取って使っているネットワーク',
    en: 'a network taken over and run by criminals',
  },
};

/** Why an update was refused, as the end of a sentence. */
const reasonPhrase: Record<string, Record<Lang, string>> = {
  checksum_mismatch: { ja: '届いた内容が本来のものと一致しなかった', en: 'what arrived did not match what was expected' },
  empty: { ja: '中身が空だった', en: 'it was empty' },
  parse_failure_rate: { ja: '読み取れない部分が多すぎた', en: 'too much of it could not be read' },
  truncated: { ja: '途中で切れていた', en: 'it was cut off part-way' },
  below_minimum: { ja: '件数が少なすぎた', en: 'it had far too few entries' },
  shrunk: { ja: '前回より件数が急に大きく減っていた', en: 'it had suddenly shrunk far below the previous version' },
  timeout: { ja: '配布元からの返事が時間内に届かなかった', en: 'the source did not answer in time' },
  too_large: { ja: '大きすぎた', en: 'it was far too large' },
  http_status: { ja: '配布元がエラーを返した', en: 'the source answered with an error' },
  redirect: { ja: '配布元の転送先がおかしかった', en: 'the source sent us somewhere unexpected' },
  network: { ja: '配布元に接続できなかった', en: 'the source could not be reached' },
  bad_url: { ja: '設定されている配布元の場所が正しくなかった', en: 'the configured source location is not valid' },
};
const unknownReason: Record<Lang, string> = { ja: '問題があった', en: 'something was wrong with it' };

function text(p: AlertParams, key: string): string | undefined {
  const v = p[key];
  return v === undefined || v === '' ? undefined : String(v);
}

function feedName(p: AlertParams, lang: Lang): string {
  return text(p, lang === 'ja' ? 'feedNameJa' : 'feedNameEn') ?? text(p, 'feedId') ?? (lang === 'ja' ? '（名前不明）' : '(unnamed)');
}

function reason(p: AlertParams, lang: Lang): string {
  const r = text(p, 'reason');
  return (r !== undefined && Object.hasOwn(reasonPhrase, r) ? reasonPhrase[r]?.[lang] : undefined) ?? unknownReason[lang];
}

function kept(p: AlertParams): number | undefined {
  const n = Number(p.keptEntries);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
}

export const blocklistAlerts: AlertCatalog = {
  feed_fault: {
    ja: (p) => {
      const n = kept(p);
      return {
        title: `危険な相手のリスト「${feedName(p, 'ja')}」を更新できませんでした`,
        what: `「${feedName(p, 'ja')}」の最新版を取り込もうとしましたが、${reason(p, 'ja')}ため、取り込みを見送りました。`,
        why: 'このリストは、危険な相手との通信を止めたり見張ったりするために使っています。更新できない間は、新しく見つかった危険な相手に対応できないことがあります。',
        did: n === undefined
          ? '前回正しく取り込めたリストをそのまま使い続けています。インターネットは普段どおり使えます。'
          : `前回正しく取り込めたリスト（${count(n)} 件）をそのまま使い続けています。インターネットは普段どおり使えます。`,
        todo: '皆さまの側で必要な作業はありません。装置が時間をおいて自動でやり直します。このお知らせが何日も続く場合は、保守の担当者にご連絡ください。',
      };
    },
    en: (p) => {
      const n = kept(p);
      return {
        title: `The list of dangerous addresses "${feedName(p, 'en')}" could not be updated`,
        what: `The box tried to take in the latest "${feedName(p, 'en')}", but ${reason(p, 'en')}, so the update was not used.`,
        why: 'This list is used to stop or watch connections with dangerous places on the internet. While it cannot be updated, newly discovered dangers may not be covered.',
        did: n === undefined
          ? 'The box keeps using the last version that loaded correctly. The internet works as usual.'
          : `The box keeps using the last version that loaded correctly (${count(n)} entries). The internet works as usual.`,
        todo: 'Nothing needs to be done on your side. The box will try again by itself. If this message keeps appearing for several days, please contact your maintenance contact.',
      };
    },
  },
};
