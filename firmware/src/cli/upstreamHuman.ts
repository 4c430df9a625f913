// `utmctl upstream status` for a person. The peer, errors and condition details may carry text
// from the network or the collector: every value goes through safe().
import type { UpstreamView } from '../app/reporting.js';
import { fingerprintText } from '../upstream/fingerprint.js';
import { safe, time } from './human.js';

/** Prints the upstream view. `duration` words a span of ms (the catalog's, passed in by
 *  utmctl's entry point); `now` is injectable for tests. */
export function printUpstreamStatus(v: UpstreamView, out: (s: string) => void, duration: (ms: number) => string, now: number = Date.now()): void {
  const ago = (ms: number | null): string => (ms === null ? '' : ` (${duration(now - ms)} ago)`);
  const s = v.status;
  const sil = v.silence;
  if (sil.state === 'none' || !s) out('upstream   NO COLLECTOR CONFIGURED (messages are kept on the box)\n');
  else if (sil.state === 'silent') {
    out(`upstream   FAULT: nothing confirmed for ${duration(sil.silentMs)} while ${sil.waiting} message(s) wait (limit ${duration(v.silenceThresholdS * 1000)})\n`);
  } else out('upstream   OK\n');
  if (s) {
    out(`transport  ${safe(s.transport ?? '-')}  peer ${safe(s.peer ?? '-')}\n`);
    out(`cert       ${safe(fingerprintText(s.peerCertSha256))}\n`);
    out(`connected  ${s.connected ? 'yes' : 'no'}${s.connectedSince === null ? '' : ` since ${time(s.connectedSince)}${ago(s.connectedSince)}`}\n`);
    out(`confirmed  ${s.lastConfirmedSeq === null ? '-' : `#${safe(s.lastConfirmedSeq)}`}${s.lastConfirmedAt === null ? ' (never)' : ` at ${time(s.lastConfirmedAt)}${ago(s.lastConfirmedAt)}`}\n`);
    out(`queue      ${safe(s.queueDepth)} waiting${s.queueBytes ? ` (${safe(s.queueBytes)} bytes)` : ''}${s.oldestWaitingAt === null ? '' : `, oldest since ${time(s.oldestWaitingAt)}${ago(s.oldestWaitingAt)}`}\n`);
    const lost = Object.entries(s.overflowLost).filter(([, n]) => (n ?? 0) > 0);
    out(`overflow   ${lost.length ? lost.map(([k, n]) => `${safe(k)} ${safe(n)}`).join(', ') : 'none lost'}\n`);
    if (s.lastError) out(`last error ${safe(s.lastError)}\n`);
    out(`next seq   ${safe(s.nextSeq)}\n`);
  }
  const hb = v.heartbeat;
  out(`heartbeat  every ${safe(hb.intervalS)} s${hb.lastAt === null ? ', none sent yet' : `, last queued ${time(hb.lastAt)}${hb.lastSeq === null ? '' : ` (#${safe(hb.lastSeq)})`}`}\n`);
  out(`statistics ${v.stats.lastDay === null ? 'none sent since start' : `${safe(v.stats.lastDay)} queued ${time(v.stats.lastAt)}`}\n`);
  if (v.openConditions.length) {
    out('open (failure told, recovery not yet)\n');
    for (const e of v.openConditions) out(`  ${safe(e.id)}  since ${time(e.failedAt)}${e.goodSince === null ? '' : `, good again since ${time(e.goodSince)}`}  ${safe(e.detail)}\n`);
  }
}
