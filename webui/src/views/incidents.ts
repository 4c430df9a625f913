// The incident list on the page: one card per incident (related alerts on one device), most
// severe first, then newest; each explained in plain words with whom to call, and the alerts
// it groups listed under it. The evidence (scores, counts, timings) is shown to a logged-in
// technician only. Pure: everything arrives as data; every value is escaped by html``.
import type { Alert } from '../../../firmware/src/alerts/types.js';
import { html, type Html } from '../html/html.js';
import type { ExplainedAlert } from '../i18n/explain.js';
import type { Lang } from '../i18n/types.js';
import { UI } from '../i18n/ui.js';
import { INCIDENT_WORDS as WORDS } from '../i18n/incidents.js';
import { formatStamp, formatWhen } from './format.js';

export interface IncidentCard {
  id: number;
  severity: Alert['severity'];
  openedAt: number;
  lastAt: number;
  kinds: readonly string[];
  findings: number;
  device: { mac?: string | undefined; ip?: string | undefined };
  text: ExplainedAlert;
  alerts: Array<{ alert: Alert; text: ExplainedAlert }>;
}


function card(c: IncidentCard, lang: Lang, timeZone: string, technician: boolean): Html {
  const ui = UI[lang];
  const w = WORDS[lang];
  const dev = [c.device.ip, c.device.mac].filter(Boolean).join(' / ');
  return html`<article class="incident alert sev-${c.severity}" data-incident-id="${c.id}">
<h3><span class="badge">${ui.severity[c.severity] ?? ui.severity.warning}</span> ${c.text.title}</h3>
<p class="alert-when"><time datetime="${new Date(c.lastAt).toISOString()}">${formatWhen(c.lastAt, lang, timeZone)}</time> ・ ${w.device}: <code>${dev || '-'}</code></p>
<dl>
<dt>${ui.alertWhat}</dt><dd>${c.text.what}</dd>
<dt>${ui.alertDid}</dt><dd>${c.text.did}</dd>
<dt>${ui.alertTodo}</dt><dd class="todo">${c.text.todo}</dd>
<dt>${ui.alertWhy}</dt><dd>${c.text.why}</dd>
</dl>
<p class="alert-call"><span aria-hidden="true">☎</span> ${c.text.call}</p>
<h4>${w.related}</h4>
<ul class="incident-alerts">${c.alerts.map(({ alert, text }) => html`<li data-alert-id="${alert.id}" data-kind="${alert.kind}"><strong>${text.title}</strong> — ${text.what}${alert.count > 1 ? html` (${ui.times(alert.count)})` : ''}</li>`)}</ul>
${technician ? html`<details class="tech incident-evidence"><summary>${w.evidence}</summary>
<p>#${c.id} ${formatStamp(c.openedAt, lang, timeZone)} – ${formatStamp(c.lastAt, lang, timeZone)} · ${c.kinds.join(', ')} · ${c.findings}</p>
${c.alerts.map(({ alert }) => html`<pre>${alert.kind} ${alert.remote?.ip ?? ''}${alert.remote?.port !== undefined ? `:${alert.remote.port}` : ''} ×${alert.count}
${JSON.stringify(alert.evidence, null, 1).slice(0, 4000)}</pre>`)}
</details>` : ''}
</article>`;
}

/** The incident section for one visitor (`technician`: logged in, sees the evidence). */
export function renderIncidents(cards: readonly IncidentCard[], o: { lang: Lang; timeZone: string; technician: boolean }): Html {
  const w = WORDS[o.lang];
  return html`<section class="incidents alerts" aria-labelledby="incidents-heading">
<h2 id="incidents-heading">${w.heading}</h2>
${cards.length === 0 ? html`<p class="alerts-none">${w.none}</p>` : cards.map((c) => card(c, o.lang, o.timeZone, o.technician))}
</section>`;
}
