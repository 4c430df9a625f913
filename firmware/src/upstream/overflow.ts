// Pure: the 'notice' that tells the monitoring centre how many messages the box's full outbox
// dropped (statistics first, alerts last) and which sequence numbers they had, so a gap in
// the numbers at the collector is explained rather than silent.
import type { OutboxLosses } from './outboxRepo.js';
import type { MessageClass, UpstreamMessage } from './contract.js';

export const OVERFLOW_SD_ID = 'utmOverflow@32473';
const ORDER: MessageClass[] = ['alert', 'condition', 'notice', 'heartbeat', 'stats'];
const JA: Record<MessageClass, string> = { alert: '警告', condition: '状態', notice: 'お知らせ', heartbeat: '定期連絡', stats: '統計' };

/** The notice for `l` (losses not yet reported), dated `now`. */
export function lossNotice(l: OutboxLosses, now: number, language: 'ja' | 'en'): UpstreamMessage {
  const parts = ORDER.filter((c) => l.byClass[c]).map((c) => (language === 'ja' ? `${JA[c]} ${l.byClass[c]} 件` : `${l.byClass[c]} ${c}`));
  const range = l.firstSeq !== null && l.lastSeq !== null ? ` (seq ${l.firstSeq}–${l.lastSeq})` : '';
  const text = language === 'ja'
    ? `監視センターとの連絡が長く途絶えて送信待ちがあふれたため、古いものから ${l.total} 件のお知らせを捨てました（${parts.join('、')}）${range}。警告は最後まで残します。`
    : `The box could not reach the monitoring centre for so long that its outbox overflowed: ${l.total} messages were dropped, oldest and least important first (${parts.join(', ')})${range}. Alerts are kept longest.`;
  return {
    class: 'notice', msgId: 'outbox_overflow', severity: l.byClass.alert || l.byClass.condition ? 3 : 4, timestamp: now,
    sd: [{ id: OVERFLOW_SD_ID, params: {
      lost: l.total, firstSeq: l.firstSeq, lastSeq: l.lastSeq,
      ...Object.fromEntries(ORDER.map((c) => [c, l.byClass[c] ?? 0])),
    } }],
    text,
  };
}
