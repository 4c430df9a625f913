// Wording of the secure login and the technician view, Japanese and English. (The page's
// own wording is in ui.ts; the shared terms in the glossary.)
import type { Lang } from './types.js';

export interface LoginStrings {
  secureHeading: string;
  secureHelp: string;
  secureLink: string;
  fingerprintLabel: string;
  httpsOnly: string;
  techLink: string;
  techTitle: string;
  backToPage: string;
  sections: Record<'system' | 'certificate' | 'ports' | 'ruleset' | 'feeds' | 'sensors' | 'upstream' | 'conditions' | 'alerts', string>;
  ok: string;
  ng: string;
  none: string;
  diagnostics: string;
  diagnosticsHelp: string;
  alertEvidence: string;
}

export const LOGIN: Record<Lang, LoginStrings> = {
  ja: {
    secureHeading: '管理者のログイン',
    secureHelp: 'ログインと操作は、暗号化された安全なページでだけできます。ブラウザーに警告が出たときは、下の「証明書の指紋」が相談窓口や技術者から伝えられたものと同じか確かめてください。',
    secureLink: '安全なページを開く',
    fingerprintLabel: '証明書の指紋 (SHA-256)',
    httpsOnly: 'この操作は安全なページ (https) でだけできます。',
    techLink: '技術者向けの詳しい情報',
    techTitle: '技術者向けの情報',
    backToPage: 'いつもの画面に戻る',
    sections: {
      system: 'システム', certificate: 'このページの証明書', ports: 'ポートと役割の決め方', ruleset: 'ファイアウォールのルール',
      feeds: '危険なサーバーのリスト', sensors: 'センサー', upstream: '監視センターへの送信', conditions: '見張っている項目', alerts: 'お知らせの証拠',
    },
    ok: '正常', ng: '異常', none: 'なし',
    diagnostics: '診断ファイルをダウンロード',
    diagnosticsHelp: '相談窓口に渡す診断ファイル (tar.gz) です。パスワードなどの秘密は取り除かれています。',
    alertEvidence: '証拠',
  },
  en: {
    secureHeading: 'Administrator login',
    secureHelp: 'Log in and act only on the encrypted secure page. If the browser warns you, check that the certificate fingerprint below matches the one the help desk or technician gave you.',
    secureLink: 'Open the secure page',
    fingerprintLabel: 'Certificate fingerprint (SHA-256)',
    httpsOnly: 'This action works only on the secure page (https).',
    techLink: 'Details for technicians',
    techTitle: 'Technician view',
    backToPage: 'Back to the usual page',
    sections: {
      system: 'System', certificate: 'Certificate of this page', ports: 'Ports and how their roles were worked out', ruleset: 'Firewall ruleset',
      feeds: 'Blocklist feeds', sensors: 'Sensors', upstream: 'Link to the monitoring centre', conditions: 'Watched conditions', alerts: 'Evidence of each alert',
    },
    ok: 'OK', ng: 'not OK', none: 'none',
    diagnostics: 'Download diagnostics',
    diagnosticsHelp: 'An archive (tar.gz) for the help desk. Passwords and other secrets are removed.',
    alertEvidence: 'Evidence',
  },
};
