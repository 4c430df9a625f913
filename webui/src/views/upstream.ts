// The link to the monitoring centre on the page: the office banner when messages have not
// reached the centre for too long (plain words, whom to call), and the technician's section
// with what `utmctl upstream status` shows. Pure; every value is escaped by html``.
import type { UpstreamStatus } from '../../../firmware/src/upstream/contract.js';
import { fingerprintText } from '../../../firmware/src/upstream/fingerprint.js';
import type { Desk, Overview } from '../deps/deps.js';
import { html, telHref, type Html } from '../html/html.js';
import type { Lang } from '../i18n/types.js';
import { durationText, UPSTREAM_UI } from '../i18n/upstream.js';
import { formatStamp } from './format.js';

/** The banner for office staff; empty when the centre hears the box. */
export function upstreamSilentBlock(lang: Lang, silent: Overview['upstreamSilent'], desk: Desk | null, now: number): Html | '' {
  if (!silent) return '';
  const u = UPSTREAM_UI[lang];
  return html`<section class="upstream-silent" role="alert">
<h2 class="upstream-silent-headline">${u.silentHeadline}</h2>
<p>${u.silentWhat(durationText(now - silent.since, lang), silent.waiting)}</p>
<p>${u.silentDid}</p>
<p class="todo">${u.silentTodo}</p>
${desk?.phone ? html`<p class="upstream-silent-call"><span aria-hidden="true">☎</span> ${desk.name} <a href="${telHref(desk.phone)}">${desk.phone}</a></p>` : ''}
</section>`;
}

/** What the technician's section needs (app/reporting.ts UpstreamView, plain data). */
export interface UpstreamPanel {
  status: UpstreamStatus | null;
  silence: { state: 'ok' | 'silent' | 'none' };
  heartbeat: { intervalS: number; lastAt: number | null };
}

/** The technician's upstream section. */
export function upstreamSection(p: UpstreamPanel, lang: Lang, timeZone: string, now: number): Html {
  const u = UPSTREAM_UI[lang];
  const s = p.status;
  const when = (ms: number | null): string => (ms === null ? '-' : `${formatStamp(ms, lang, timeZone)}（${durationText(now - ms, lang)}）`);
  const lost = s ? Object.entries(s.overflowLost).filter(([, n]) => (n ?? 0) > 0).map(([k, n]) => `${k} ${n}`).join(', ') : '';
  return html`<details class="tech upstream-tech" data-upstream-state="${p.silence.state}"${p.silence.state === 'ok' ? '' : html` open`}>
<summary>${u.heading}</summary>
<dl class="tech-facts">
<dt>${u.state}</dt><dd class="upstream-state">${u.stateText[p.silence.state]}</dd>
${s ? html`<dt>${u.transport}</dt><dd>${s.transport ?? '-'}</dd>
<dt>${u.peer}</dt><dd><code>${s.peer ?? '-'}</code></dd>
<dt>${u.certificate}</dt><dd><code class="fingerprint">${fingerprintText(s.peerCertSha256)}</code></dd>
<dt>${u.connected}</dt><dd>${s.connected ? u.yes : u.no}${s.connectedSince === null ? '' : html`, ${u.since} ${when(s.connectedSince)}`}</dd>
<dt>${u.lastConfirmed}</dt><dd>${s.lastConfirmedSeq ?? '-'} / ${when(s.lastConfirmedAt)}</dd>
<dt>${u.queue}</dt><dd>${s.queueDepth}</dd>
<dt>${u.oldestWaiting}</dt><dd>${when(s.oldestWaitingAt)}</dd>
<dt>${u.overflow}</dt><dd>${lost || u.none}</dd>
<dt>${u.nextSeq}</dt><dd>${s.nextSeq}</dd>
${s.lastError ? html`<dt>${u.lastError}</dt><dd>${s.lastError}</dd>` : ''}` : ''}
</dl>
</details>`;
}
