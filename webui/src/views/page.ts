// The one page staff look at (issue 12), answering four questions on one phone-sized screen:
// is the office safe now (the state card), whom do I call (the desk's phone, large and
// tappable), what must I do (open incidents, then devices waiting for an answer, then notices:
// office/model.ts decides), and what happened this week (words and one small chart). Then the
// history, the device list (folded), login and the technician's sections. Pure: everything
// arrives in PageModel; every value is escaped by html``. Sections marked data-live are what
// static/refresh.js patches in place.
import type { Device } from '../../../firmware/src/devices/model.js';
import type { DeviceListView } from '../../../firmware/src/devices/view.js';
import type { Desk, Overview, PageContext, SessionInfo } from '../deps/deps.js';
import { html, telHref, type Html } from '../html/html.js';
import { OFFICE_WORDS, type DoneAction } from '../i18n/office.js';
import type { AlertCatalog, Lang } from '../i18n/types.js';
import { UI, type UiStrings } from '../i18n/ui.js';
import type { OfficeModel } from '../office/model.js';
import type { WeekFacts } from '../office/week.js';
import { devicesList } from './devices.js';
import { formatStamp, formatWhen } from './format.js';
import { layout } from './layout.js';
import { historyLine, openCard, type CardContext } from './officeCards.js';
import { LOGIN } from '../i18n/login.js';
import { secureLoginLink } from './secureLogin.js';
import { upstreamSilentBlock } from './upstream.js';
import { weekSection } from './week.js';

export interface PageModel {
  lang: Lang;
  now: number;
  timeZone: string;
  overview: Overview;
  desk: Desk | null;
  office: OfficeModel;
  catalog: AlertCatalog;
  devices: DeviceListView | null;
  week: WeekFacts | null;
  /** The month whose report the page links to (YYYY-MM); null without reports. */
  reportMonth: string | null;
  /** The result of the action just taken (post/redirect/get), shown once at the top. */
  done: DoneAction | null;
  session: SessionInfo;
  loginFailed: boolean;
  /** The secure page: over plain HTTP `url` is where to log in (the form is not shown). */
  secure?: { url: string | null; fingerprint256: string } | undefined;
  sections: Html[];
  refreshSeconds: number;
}

function stateBlock(ui: UiStrings, state: Overview['state']): Html {
  const s = ui.state[state];
  return html`<section class="state state-${state}" id="state" aria-labelledby="state-heading" data-live>
<h2 class="state-label" id="state-heading">${ui.stateLabel}</h2>
<p class="state-line" role="status"><span class="state-icon" aria-hidden="true">${s.icon}</span><strong class="state-headline">${s.headline}</strong></p>
<p class="state-advice">${s.advice}</p>
</section>`;
}

function deskBlock(ui: UiStrings, desk: Desk | null): Html {
  if (!desk || !desk.phone) {
    return html`<section class="desk desk-missing" aria-labelledby="desk-heading"><h2 id="desk-heading">${ui.deskHeading}</h2><p>${ui.deskNone}</p></section>`;
  }
  return html`<section class="desk" aria-labelledby="desk-heading">
<h2 id="desk-heading">${ui.deskHeading}</h2>
<p class="desk-name">${desk.name}</p>
<p class="desk-phone"><span class="desk-phone-label">${ui.deskPhone}</span> <a href="${telHref(desk.phone)}">${desk.phone}</a></p>
${desk.hours ? html`<p class="desk-hours">${ui.deskHours}: ${desk.hours}</p>` : ''}
</section>`;
}

function doneBlock(m: PageModel): Html | '' {
  if (!m.done) return '';
  return html`<p class="done" id="result" role="status" tabindex="-1"><span aria-hidden="true">✓</span> ${OFFICE_WORDS[m.lang].done[m.done]}</p>`;
}

function todoBlock(m: PageModel, c: CardContext): Html {
  const w = OFFICE_WORDS[m.lang];
  return html`<section class="todo-list" id="todo" aria-labelledby="todo-heading" data-live>
<h2 id="todo-heading">${w.todoHeading}</h2>
${m.office.open.length === 0 ? html`<p class="alerts-none">${w.todoNone}</p>` : m.office.open.map((i) => openCard(i, c))}
</section>`;
}

function historyBlock(m: PageModel, c: CardContext): Html {
  const w = OFFICE_WORDS[m.lang];
  return html`<section class="history" id="history" aria-labelledby="history-heading" data-live>
<h2 id="history-heading">${w.historyHeading}</h2>
${m.office.history.length === 0 ? html`<p class="alerts-none">${w.historyNone}</p>` : html`<ul class="history-list">${m.office.history.map((h) => historyLine(h, c))}</ul>`}
${m.reportMonth ? html`<p class="report-link"><a href="/report/${m.reportMonth}">${w.reportLink}</a></p>` : ''}
</section>`;
}

function devicesBlock(m: PageModel, ctx: PageContext): Html | '' {
  if (!m.devices) return '';
  const w = OFFICE_WORDS[m.lang];
  const waiting = m.devices.devices.filter((d: Device) => d.status === 'new').length;
  return html`<section class="devices" id="devices" aria-labelledby="devices-heading" data-live>
<details><summary><h2 id="devices-heading">${w.devicesHeading(m.devices.devices.length, waiting)}</h2></summary>
${devicesList(m.devices, ctx)}
</details>
</section>`;
}

function loginBlock(m: PageModel, ui: UiStrings): Html {
  const s = m.session;
  const t = LOGIN[m.lang];
  if (!s.user && m.secure?.url) return secureLoginLink(m.lang, m.secure.url, m.secure.fingerprint256);
  if (s.user) {
    return html`<section class="login" id="login">
<p><a class="tech-link" href="/tech">${t.techLink}</a></p>
<form method="post" action="/logout"><p>${ui.loggedInAs(s.user)}
<input type="hidden" name="_csrf" value="${s.csrf}">
<button type="submit">${ui.logoutButton}</button></p></form>
</section>`;
  }
  return html`<section class="login" id="login" aria-labelledby="login-heading">
<h2 id="login-heading">${ui.loginHeading}</h2>
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
  const w = OFFICE_WORDS[m.lang];
  const ctx: PageContext = { lang: m.lang, session: m.session, now: m.now, timeZone: m.timeZone };
  const devices = new Map((m.devices?.devices ?? []).map((d) => [d.mac, d]));
  const c: CardContext = { lang: m.lang, timeZone: m.timeZone, session: m.session, catalog: m.catalog, desk: m.desk, devices };
  const body = html`<header class="top">
<p class="brand"><strong>${ui.productName}</strong> <span>${ui.productTagline}</span></p>
<a class="lang-switch" href="${ui.switchLang.href}" hreflang="${ui.switchLang.lang}" lang="${ui.switchLang.lang}">${ui.switchLang.label}</a>
</header>
<main class="page" id="main">
<h1>${w.h1}</h1>
${doneBlock(m)}
${stateBlock(ui, m.office.state)}
<div id="upstream-banner" data-live>${upstreamSilentBlock(m.lang, m.overview.upstreamSilent, m.desk, m.now)}</div>
${deskBlock(ui, m.desk)}
${todoBlock(m, c)}
${m.week ? weekSection(m.week, m.lang) : ''}
${historyBlock(m, c)}
${devicesBlock(m, ctx)}
${loginBlock(m, ui)}
${techBlock(m, ui)}
${m.sections}
</main>
<footer class="foot"><p id="updated" data-live>${ui.updatedAt(formatWhen(m.now, m.lang, m.timeZone))}</p>
<p class="refresh-control"><button type="button" id="refresh-toggle" hidden data-pause="${w.refreshPause}" data-resume="${w.refreshResume}" aria-pressed="false">${w.refreshPause}</button>
<span id="refresh-state" role="status" data-paused="${w.refreshPaused}"></span> <span class="refresh-note">${ui.autoRefresh}</span></p></footer>`;
  return layout({ lang: m.lang, title: ui.htmlTitle, refreshSeconds: m.refreshSeconds }, body);
}
