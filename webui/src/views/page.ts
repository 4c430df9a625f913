// The one page staff look at: overall state, whom to call, the latest alerts explained,
// extension sections (e.g. devices), login, and a small technician section. Pure:
// everything it shows arrives in PageModel; every value is escaped by html``.
import type { Alert } from '../../../firmware/src/alerts/types.js';
import type { Desk, Overview, SessionInfo } from '../deps/deps.js';
import { html, telHref, type Html } from '../html/html.js';
import type { ExplainedAlert } from '../i18n/explain.js';
import type { Lang } from '../i18n/types.js';
import { UI, type UiStrings } from '../i18n/ui.js';
import { formatStamp, formatWhen } from './format.js';
import { layout } from './layout.js';
import { upstreamSilentBlock } from './upstream.js';

export interface PageModel {
  lang: Lang;
  now: number;
  timeZone: string;
  overview: Overview;
  desk: Desk | null;
  alerts: Array<{ alert: Alert; text: ExplainedAlert }>;
  session: SessionInfo;
  loginFailed: boolean;
  sections: Html[];
  refreshSeconds: number;
}

function stateBlock(ui: UiStrings, state: Overview['state']): Html {
  const s = ui.state[state];
  return html`<section class="state state-${state}" role="status" aria-live="polite">
<p class="state-label">${ui.stateLabel}</p>
<p class="state-line"><span class="state-icon" aria-hidden="true">${s.icon}</span><strong class="state-headline">${s.headline}</strong></p>
<p class="state-advice">${s.advice}</p>
</section>`;
}

function deskBlock(ui: UiStrings, desk: Desk | null): Html {
  if (!desk || !desk.phone) {
    return html`<section class="desk desk-missing"><h2>${ui.deskHeading}</h2><p>${ui.deskNone}</p></section>`;
  }
  return html`<section class="desk" aria-labelledby="desk-heading">
<h2 id="desk-heading">${ui.deskHeading}</h2>
<p class="desk-name">${desk.name}</p>
<p class="desk-phone"><span class="desk-phone-label">${ui.deskPhone}</span> <a href="${telHref(desk.phone)}">${desk.phone}</a></p>
${desk.hours ? html`<p class="desk-hours">${ui.deskHours}: ${desk.hours}</p>` : ''}
</section>`;
}

function isoOrEmpty(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

function alertCard(m: PageModel, ui: UiStrings, item: { alert: Alert; text: ExplainedAlert }): Html {
  const { alert, text } = item;
  const when = formatWhen(alert.lastSeen, m.lang, m.timeZone);
  return html`<article class="alert sev-${alert.severity}" data-alert-id="${alert.id}">
<h3><span class="badge">${ui.severity[alert.severity] ?? ui.severity.warning}</span> ${text.title}</h3>
<p class="alert-when"><time datetime="${isoOrEmpty(alert.lastSeen)}">${when}</time>${alert.count > 1 ? html` ・ ${ui.times(alert.count)}` : ''}</p>
<dl>
<dt>${ui.alertWhat}</dt><dd>${text.what}</dd>
<dt>${ui.alertDid}</dt><dd>${text.did}</dd>
<dt>${ui.alertTodo}</dt><dd class="todo">${text.todo}</dd>
<dt>${ui.alertWhy}</dt><dd>${text.why}</dd>
</dl>
<p class="alert-call"><span aria-hidden="true">☎</span> ${text.call}</p>
</article>`;
}

function alertsBlock(m: PageModel, ui: UiStrings): Html {
  return html`<section class="alerts" aria-labelledby="alerts-heading">
<h2 id="alerts-heading">${ui.alertsHeading}</h2>
${m.alerts.length === 0 ? html`<p class="alerts-none">${ui.alertsNone}</p>` : m.alerts.map((a) => alertCard(m, ui, a))}
</section>`;
}

function loginBlock(m: PageModel, ui: UiStrings): Html {
  const s = m.session;
  if (s.user) {
    return html`<section class="login" id="login">
<form method="post" action="/logout"><p>${ui.loggedInAs(s.user)}
<input type="hidden" name="_csrf" value="${s.csrf}">
<button type="submit">${ui.logoutButton}</button></p></form>
</section>`;
  }
  return html`<section class="login" id="login">
<h2>${ui.loginHeading}</h2>
<p>${ui.loginHelp}</p>
${m.loginFailed ? html`<p class="login-failed" role="alert">${ui.loginFailed}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="_csrf" value="${s.csrf}">
<label>${ui.loginPassword} <input type="password" name="password" autocomplete="current-password" required maxlength="1024"></label>
<button type="submit">${ui.loginButton}</button>
</form>
</section>`;
}

function techBlock(m: PageModel, ui: UiStrings): Html {
  const o = m.overview;
  const rows = o.conditions.map((c) => html`<tr class="${c.ok ? 'cond-ok' : 'cond-ng'}">
<td>${c.id}</td><td>${c.ok ? html`✓ ${ui.techOk}` : html`✕ ${ui.techNg}`}</td>
<td>${formatStamp(c.since, m.lang, m.timeZone)}</td><td>${c.detail ?? ''}</td></tr>`);
  return html`<details class="tech">
<summary>${ui.techHeading}</summary>
<dl class="tech-facts">
<dt>${ui.techMode}</dt><dd>${ui.modes[o.mode] ?? o.mode}</dd>
<dt>${ui.techDeviceId}</dt><dd><code>${o.deviceId}</code></dd>
<dt>${ui.techStartedAt}</dt><dd>${formatStamp(o.startedAt, m.lang, m.timeZone)}</dd>
</dl>
<h3>${ui.techConditions}</h3>
<div class="tech-table"><table><thead><tr><th>${ui.techCondition}</th><th>${ui.techStatus}</th><th>${ui.techSince}</th><th>${ui.techDetail}</th></tr></thead>
<tbody>${rows}</tbody></table></div>
<p><a href="/api/health">${ui.techHealthLink}</a></p>
</details>`;
}

/** Renders the whole page for one visitor. */
export function renderPage(m: PageModel): Html {
  const ui = UI[m.lang];
  const body = html`<header class="top">
<p class="brand"><strong>${ui.productName}</strong> <span>${ui.productTagline}</span></p>
<a class="lang-switch" href="${ui.switchLang.href}" hreflang="${ui.switchLang.lang}" lang="${ui.switchLang.lang}">${ui.switchLang.label}</a>
</header>
<main class="page">
${stateBlock(ui, m.overview.state)}
${upstreamSilentBlock(m.lang, m.overview.upstreamSilent, m.desk, m.now)}
${deskBlock(ui, m.desk)}
${alertsBlock(m, ui)}
${m.sections}
${loginBlock(m, ui)}
${techBlock(m, ui)}
</main>
<footer class="foot"><p>${ui.updatedAt(formatWhen(m.now, m.lang, m.timeZone))} ${ui.autoRefresh}</p></footer>`;
  return layout({ lang: m.lang, title: ui.htmlTitle, refreshSeconds: m.refreshSeconds }, body);
}
