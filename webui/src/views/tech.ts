// The technician view (after login): system, certificate, ports and how their roles were
// worked out, ruleset, feeds, sensors, upstream, every watched condition and the evidence of
// each alert, plus the diagnostics download. Pure: everything arrives as plain data and every
// value is escaped by html``, and controls and bidi overrides in device-supplied text are
// shown as visible escapes (`\u{202e}`), as utmctl shows them, so evidence reads as sent.
import type { Alert } from '../../../firmware/src/alerts/types.js';
import type { Condition, TechnicianFacts, TechRow } from '../deps/deps.js';
import { html, type Html } from '../html/html.js';
import { LOGIN, type LoginStrings } from '../i18n/login.js';
import type { Lang } from '../i18n/types.js';
import { formatStamp } from './format.js';
import { forTerminal } from '../../../firmware/src/text/escape.js';
import { layout } from './layout.js';

export interface TechModel {
  lang: Lang;
  timeZone: string;
  facts: TechnicianFacts | null;
  conditions: Condition[];
  alerts: Alert[];
  csrf: string;
  diagnostics: boolean;
}

/** Device-supplied text made visible: controls and bidi characters as escapes, bounded. */
const shown = (s: string): string => forTerminal(s, 4000);

function rows(t: LoginStrings, list: readonly TechRow[]): Html {
  if (list.length === 0) return html`<p>${t.none}</p>`;
  return html`<div class="tech-table"><table><tbody>${list.map((r) => html`<tr${r.ok === undefined ? '' : html` class="${r.ok ? 'cond-ok' : 'cond-ng'}"`}>
<th scope="row">${shown(r.label)}</th><td>${r.ok === undefined ? '' : html`${r.ok ? '✓' : '✕'} `}${shown(r.value)}</td></tr>`)}</tbody></table></div>`;
}

function section(id: string, heading: string, body: Html): Html {
  return html`<section class="tech-section" id="tech-${id}" aria-labelledby="tech-${id}-h"><h2 id="tech-${id}-h">${heading}</h2>
${body}</section>`;
}

function alertEvidence(m: TechModel, t: LoginStrings, a: Alert): Html {
  const who = [a.device.ip, a.device.mac].filter(Boolean).join(' / ');
  const remote = a.remote ? `${a.remote.ip}${a.remote.port === undefined ? '' : `:${a.remote.port}`}` : '';
  return html`<article class="tech-alert sev-${a.severity}" data-alert-id="${a.id}">
<h3><code>${shown(a.kind)}</code> · ${a.severity} · ×${a.count}</h3>
<dl>
<dt>time</dt><dd>${formatStamp(a.firstSeen, m.lang, m.timeZone)} – ${formatStamp(a.lastSeen, m.lang, m.timeZone)}</dd>
${who ? html`<dt>device</dt><dd><code>${who}</code></dd>` : ''}
${remote ? html`<dt>remote</dt><dd><code>${remote}</code> ${a.direction ?? ''}</dd>` : ''}
<dt>action</dt><dd>${a.action}</dd>
<dt>${t.alertEvidence}</dt><dd><pre>${JSON.stringify({ params: a.params, evidence: a.evidence }, null, 1).split('\n').map(shown).join('\n')}</pre></dd>
</dl></article>`;
}

/** Renders the technician view. */
export function renderTech(m: TechModel): Html {
  const t = LOGIN[m.lang];
  const f = m.facts;
  const cond: TechRow[] = m.conditions.map((c) => ({ label: c.id, value: `${formatStamp(c.since, m.lang, m.timeZone)}${c.detail ? ` — ${c.detail}` : ''}`, ok: c.ok }));
  const body = html`<header class="top"><p class="brand"><strong>${t.techTitle}</strong></p>
<a href="/">${t.backToPage}</a></header>
<main class="page tech-page">
<h1>${t.techTitle}</h1>
${m.diagnostics ? html`<section class="tech-diag"><form method="post" action="/tech/diagnostics">
<input type="hidden" name="_csrf" value="${m.csrf}">
<button type="submit">${t.diagnostics}</button> <span>${t.diagnosticsHelp}</span></form></section>` : ''}
${section('system', t.sections.system, rows(t, f?.system ?? []))}
${section('certificate', t.sections.certificate, rows(t, f?.certificate ?? []))}
${section('ports', t.sections.ports, rows(t, f?.ports ?? []))}
${section('ruleset', t.sections.ruleset, rows(t, f?.ruleset ?? []))}
${section('feeds', t.sections.feeds, rows(t, f?.feeds ?? []))}
${section('sensors', t.sections.sensors, rows(t, f?.sensors ?? []))}
${section('upstream', t.sections.upstream, rows(t, f?.upstream ?? []))}
${section('conditions', t.sections.conditions, rows(t, cond))}
${section('alerts', t.sections.alerts, m.alerts.length ? html`${m.alerts.map((a) => alertEvidence(m, t, a))}` : html`<p>${t.none}</p>`)}
</main>`;
  return layout({ lang: m.lang, title: t.techTitle }, body);
}
