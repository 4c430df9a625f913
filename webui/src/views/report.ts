// The monthly report page (/report/YYYY-MM), print-ready: A4 print rules live in
// static/report.css; lists are cut (REPORT_ROWS) so the printout stays within two pages.
// Pure: renders a MonthlyReport (report/model.ts); every value is escaped by html``.
import { html, type Html } from '../html/html.js';
import { REPORT_WORDS } from '../i18n/report.js';
import type { Lang } from '../i18n/types.js';
import type { ReportDevice } from '../report/facts.js';
import { REPORT_ROWS, type MonthlyReport } from '../report/model.js';
import { deviceNameHtml } from './deviceName.js';
import { formatStamp, formatWhen } from './format.js';
import { barChart } from './week.js';

export interface ReportPageModel {
  lang: Lang;
  timeZone: string;
  deviceId: string;
  report: MonthlyReport;
  /** Names of devices by MAC (label/hostname), for the by-device table. */
  deviceNames: ReadonlyMap<string, Pick<ReportDevice, 'label' | 'hostname' | 'deviceType'>>;
  previousMonth: string;
}

function more(n: number, lang: Lang): Html | '' {
  return n > 0 ? html`<p class="more">${lang === 'ja' ? `ほか${n}件` : `and ${n} more`}</p>` : '';
}

function deviceList(list: readonly ReportDevice[], m: ReportPageModel): Html {
  const t = REPORT_WORDS[m.lang];
  if (list.length === 0) return html`<p class="none">${t.none}</p>`;
  return html`<ul>${list.slice(0, REPORT_ROWS).map((d) => html`<li>${deviceNameHtml(d, m.lang)} <code>${d.mac}</code> <span class="when">${formatWhen(d.firstSeen, m.lang, m.timeZone)}</span></li>`)}</ul>${more(list.length - REPORT_ROWS, m.lang)}`;
}

/** The report's body (inside the layout). */
export function renderReport(m: ReportPageModel): Html {
  const t = REPORT_WORDS[m.lang];
  const r = m.report;
  const w = t.weather[r.weather];
  const pct = r.upstream.availability === null ? null : (Math.floor(r.upstream.availability * 1000) / 10).toFixed(1);
  const name = (mac: string | null): Html => {
    if (mac === null) return html`${t.noDevice}`;
    const d = m.deviceNames.get(mac);
    return html`${d ? deviceNameHtml(d, m.lang) : ''} <code>${mac}</code>`;
  };
  return html`<main class="report" id="main">
<nav class="report-nav no-print"><a href="/">${t.back}</a> · <a href="/report/${m.previousMonth}">${t.otherMonth}</a> · <button type="button" id="print-report">${t.print}</button></nav>
<header><h1>${t.title(r.month)}</h1><p class="subtitle">${t.subtitle(m.deviceId)}</p></header>
<section class="weather weather-${r.weather}" aria-labelledby="weather-heading">
<h2 id="weather-heading">${t.weatherHeading}</h2>
<p class="weather-line"><span class="weather-icon" aria-hidden="true">${w.icon}</span> <strong>${w.word}</strong> — ${w.line}</p>
<p class="summary" data-figure="summary">${t.summary({ blocked: r.blocked.total, alerts: r.alerts.total, incidents: r.incidents.length, newDevices: r.devices.new.length })}</p>
</section>
<section aria-labelledby="blocked-heading">
<h2 id="blocked-heading">${t.blockedHeading}</h2>
<div class="two">
<table class="by-category"><caption>${t.byCategory}</caption><tbody>
${r.blocked.byCategory.length === 0 ? html`<tr><td>${t.none}</td></tr>` : r.blocked.byCategory.map((c) => html`<tr data-category="${c.category}"><th scope="row">${t.category(c.category)}</th><td class="num">${c.n}</td></tr>`)}
</tbody><tfoot><tr><th scope="row">${m.lang === 'ja' ? '合計' : 'Total'}</th><td class="num" data-figure="blocked-total">${r.blocked.total}</td></tr></tfoot></table>
<table class="by-device"><caption>${t.byDevice}</caption><tbody>
${r.blocked.byDevice.length === 0 ? html`<tr><td>${t.none}</td></tr>` : r.blocked.byDevice.map((d) => html`<tr data-mac="${d.mac ?? ''}"><th scope="row">${name(d.mac)}</th><td class="num">${d.n}</td></tr>`)}
</tbody></table>
</div>
${barChart(r.daily.map((d) => ({ label: String(Number(d.day.slice(8))), value: d.blocked })), t.dailyChart(r.blocked.total), '-')}
</section>
<section aria-labelledby="incidents-heading">
<h2 id="incidents-heading">${t.incidentsHeading}</h2>
${r.incidents.length === 0 ? html`<p class="none">${t.none}</p>` : html`<table class="incidents"><thead><tr><th>${t.incidentWhen}</th><th>${t.incidentWhat}</th><th>${t.incidentDone}</th></tr></thead><tbody>
${r.incidents.slice(0, REPORT_ROWS).map((i) => html`<tr data-incident-id="${i.id}"><td>${formatWhen(i.openedAt, m.lang, m.timeZone)}</td><td>${t.kinds(i.kinds)} <code>${i.device.ip ?? i.device.mac ?? ''}</code></td>
<td>${[...i.actions.map((a) => t.actions[a] ?? a), ...(i.ack ? [t.handled(i.ack.actor.split('@')[0] ?? i.ack.actor, i.ack.note)] : [])].join(m.lang === 'ja' ? '、' : '; ') || t.notHandled}</td></tr>`)}
</tbody></table>${more(r.incidents.length - REPORT_ROWS, m.lang)}`}
</section>
<section aria-labelledby="devices-heading" class="devices-report">
<h2 id="devices-heading">${t.devicesHeading}</h2>
<div class="three">
<div><h3>${t.newDevices} <span class="num" data-figure="new-devices">${r.devices.new.length}</span></h3>${deviceList(r.devices.new, m)}</div>
<div><h3>${t.eolDevices} <span class="num">${r.devices.eol.length}</span></h3>${deviceList(r.devices.eol, m)}</div>
<div><h3>${t.quarantinedDevices} <span class="num">${r.devices.quarantined.length}</span></h3>${deviceList(r.devices.quarantined, m)}</div>
</div>
</section>
<section aria-labelledby="upstream-heading">
<h2 id="upstream-heading">${t.upstreamHeading}</h2>
<p data-figure="availability" data-value="${pct ?? ''}">${t.upstream(pct, r.upstream.daysBelow)}</p>
</section>
<section aria-labelledby="rec-heading">
<h2 id="rec-heading">${t.recommendationsHeading}</h2>
<ol class="recommendations">${r.recommendations.map((x) => html`<li data-key="${x.key}">${t.recommendation(x)}</li>`)}</ol>
</section>
<footer class="report-foot"><p>${t.source(r.source, r.complete, r.daysCounted, r.daysInMonth, formatStamp(r.computedAt, m.lang, m.timeZone), r.daysPending)}</p></footer>
</main>`;
}
