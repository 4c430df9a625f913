// The cards of the office page's "what to do now" list and its history, rendered from the
// office model (office/model.ts). Every card says what happened, why, what the box did, what
// to do and whom to call; the question about a new device offers 承認 / 心当たりがない; every
// open card can be marked 対応済み with a note. Actions sit behind a <details> step (the
// confirmation, no script needed) and post to /actions (CSRF + login by construction).
import { incidentAsAlert } from '../../../firmware/src/alerts/incidentText.js';
import type { Alert } from '../../../firmware/src/alerts/types.js';
import type { Desk, SessionInfo } from '../deps/deps.js';
import { html, type Html } from '../html/html.js';
import { explainAlert, type ExplainedAlert } from '../i18n/explain.js';
import { OFFICE_WORDS } from '../i18n/office.js';
import type { AlertCatalog, Lang } from '../i18n/types.js';
import { UI } from '../i18n/ui.js';
import { NOTE_MAX } from '../../../firmware/src/store/acksRepo.js';
import type { HistoryItem, OpenItem, Tone } from '../office/model.js';
import { formatStamp, formatWhen } from './format.js';
import { deviceNameHtml, deviceWithKindHtml } from './deviceName.js';
import type { Device } from '../../../firmware/src/devices/model.js';

export interface CardContext {
  lang: Lang;
  timeZone: string;
  session: SessionInfo;
  catalog: AlertCatalog;
  desk: Desk | null;
  devices: ReadonlyMap<string, Device>;
}

const SEVERITY_OF_TONE: Record<Tone, Alert['severity']> = { danger: 'danger', answer: 'warning', attention: 'warning', notice: 'info' };

/** The alert explained with the calm severity of its tone (so the call line of a blocked
 *  attempt does not say 「すぐに」 beside 「急ぐ必要はありません」). */
function explain(a: Alert, tone: Tone, c: CardContext): ExplainedAlert {
  return explainAlert({ ...a, severity: SEVERITY_OF_TONE[tone] }, c.lang, c.catalog, c.desk);
}

function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

function badge(tone: Tone, lang: Lang): Html {
  return html`<span class="badge">${OFFICE_WORDS[lang].tone[tone]}</span>`;
}

/** The five parts. Danger is shown whole; calmer cards show what to do and whom to call, with
 *  the rest one tap away, so a busy week does not make the page long. */
function fiveParts(text: ExplainedAlert, lang: Lang, tone: Tone = 'danger'): Html {
  const ui = UI[lang];
  if (tone !== 'danger') {
    return html`<p class="todo">${text.todo}</p>
<details class="more-info"><summary>${OFFICE_WORDS[lang].moreInfo}</summary><dl>
<dt>${ui.alertWhat}</dt><dd>${text.what}</dd>
<dt>${ui.alertDid}</dt><dd>${text.did}</dd>
<dt>${ui.alertWhy}</dt><dd>${text.why}</dd>
</dl>
<p class="alert-call"><span aria-hidden="true">☎</span> ${text.call}</p></details>`;
  }
  return html`<dl>
<dt>${ui.alertWhat}</dt><dd>${text.what}</dd>
<dt>${ui.alertDid}</dt><dd>${text.did}</dd>
<dt>${ui.alertTodo}</dt><dd class="todo">${text.todo}</dd>
<dt>${ui.alertWhy}</dt><dd>${text.why}</dd>
</dl>
<p class="alert-call"><span aria-hidden="true">☎</span> ${text.call}</p>`;
}

function hidden(c: CardContext, fields: Record<string, string | number>): Html {
  return html`<input type="hidden" name="_csrf" value="${c.session.csrf}">${Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${String(v)}">`)}`;
}

/** The 対応済み step: a disclosure with an optional note and the confirming button. */
function ackForm(target: 'alert' | 'incident', id: number | readonly number[], c: CardContext): Html {
  const w = OFFICE_WORDS[c.lang];
  if (c.session.user === null) return html`<p class="act-login"><a href="#login">${w.loginToAct}</a></p>`;
  return html`<details class="act act-ack"><summary>${w.ack}</summary>
<form method="post" action="/actions/acknowledge">${hidden(c, { target, id: typeof id === 'number' ? id : id.join(',') })}
<p>${w.ackHelp}</p>
<label>${w.ackNote}<textarea name="note" rows="2" maxlength="${NOTE_MAX}"></textarea></label>
<button type="submit">${w.ackButton}</button></form></details>`;
}

/** Approve / 心当たりがない (quarantine), each confirmed in its own disclosure. */
function decideForms(mac: string, c: CardContext): Html {
  const w = OFFICE_WORDS[c.lang];
  if (c.session.user === null) return html`<p class="act-login"><a href="#login">${w.loginToAct}</a></p>`;
  return html`<div class="acts">
<details class="act act-approve"><summary>${w.approve}</summary>
<form method="post" action="/actions/devices/approve">${hidden(c, { mac })}<p>${w.approveConfirm}</p><button type="submit">${w.approveButton}</button></form></details>
<details class="act act-reject"><summary>${w.reject}</summary>
<form method="post" action="/actions/devices/quarantine">${hidden(c, { mac })}<p>${w.rejectConfirm}</p><button type="submit">${w.rejectButton}</button></form></details>
</div>`;
}

function incidentCard(item: Extract<OpenItem, { type: 'incident' }>, c: CardContext): Html {
  const { incident: inc, alerts } = item.entry;
  const w = OFFICE_WORDS[c.lang];
  const ui = UI[c.lang];
  // Only a real infection with several signs gets the incident's own (urgent) text; with one
  // sign, that sign says what it is (a scan of the office, mail to many servers); otherwise the
  // newest alert speaks.
  const newest = [...alerts].sort((a, b) => b.lastSeen - a.lastSeen)[0];
  const kinds = new Set(alerts.map((a) => a.kind));
  const text = !newest || (item.tone === 'danger' && kinds.size > 1) ? explain(incidentAsAlert(inc), item.tone, c) : explain(newest, item.tone, c);
  const dev = inc.device.mac ? c.devices.get(inc.device.mac) ?? null : null;
  return html`<article class="card tone-${item.tone} incident" data-incident-id="${inc.id}" data-tone="${item.tone}">
<h3>${badge(item.tone, c.lang)} ${text.title}</h3>
<p class="alert-when"><time datetime="${iso(inc.lastAt)}">${formatWhen(inc.lastAt, c.lang, c.timeZone)}</time> ・ ${w.incidentDevice}: ${dev ? deviceNameHtml(dev, c.lang) : ''} <code>${inc.device.ip ?? inc.device.mac ?? '-'}</code></p>
${fiveParts(text, c.lang, item.tone)}
${alerts.length > 1 ? html`<details class="related"><summary>${w.related}（${alerts.length}）</summary><ul>${alerts.map((a) => html`<li data-alert-id="${a.id}">${explain(a, item.tone, c).title}${a.count > 1 ? html` (${ui.times(a.count)})` : ''}</li>`)}</ul></details>` : ''}
${c.session.user !== null ? html`<details class="tech incident-evidence"><summary>${UI[c.lang].techHeading}</summary>
<p>#${inc.id} ${formatStamp(inc.openedAt, c.lang, c.timeZone)} – ${formatStamp(inc.lastAt, c.lang, c.timeZone)} · ${inc.kinds.join(', ')} · ${inc.findings}</p>
${alerts.map((a) => html`<pre>${a.kind} ${a.remote?.ip ?? ''}${a.remote?.port !== undefined ? `:${a.remote.port}` : ''} ×${a.count}
${JSON.stringify(a.evidence, null, 1).slice(0, 4000)}</pre>`)}</details>` : ''}
${ackForm('incident', inc.id, c)}
</article>`;
}

function alertCard(item: Extract<OpenItem, { type: 'alert' }>, c: CardContext): Html {
  const a = item.alert;
  const text = explain(a, item.tone, c);
  return html`<article class="card tone-${item.tone}" data-alert-id="${a.id}" data-kind="${a.kind}" data-tone="${item.tone}">
<h3>${badge(item.tone, c.lang)} ${text.title}</h3>
<p class="alert-when"><time datetime="${iso(a.lastSeen)}">${formatWhen(a.lastSeen, c.lang, c.timeZone)}</time>${a.count > 1 ? html` ・ ${UI[c.lang].times(a.count)}` : ''}</p>
${fiveParts(text, c.lang, item.tone)}
${ackForm('alert', a.id, c)}
</article>`;
}

const GROUP_LINES = 8;

function groupCard(item: Extract<OpenItem, { type: 'group' }>, c: CardContext): Html {
  const w = OFFICE_WORDS[c.lang];
  const newest = item.alerts[0];
  if (!newest) return html``;
  const text = explain(newest, 'attention', c);
  const devices = new Set(item.alerts.map((a) => a.device.mac ?? a.device.ip ?? '')).size;
  const line = (a: Alert): Html => {
    const dev = a.device.mac ? c.devices.get(a.device.mac) ?? null : null;
    return html`<li data-alert-id="${a.id}"><time datetime="${iso(a.lastSeen)}">${formatWhen(a.lastSeen, c.lang, c.timeZone)}</time> ${dev ? deviceNameHtml(dev, c.lang) : ''} <code>${a.device.ip ?? a.device.mac ?? '-'}</code>${a.count > 1 ? html` ・ ${UI[c.lang].times(a.count)}` : ''}</li>`;
  };
  return html`<article class="card tone-attention group" data-kind="${item.kind}" data-tone="attention" data-alert-ids="${item.alerts.map((a) => a.id).join(',')}">
<h3>${badge('attention', c.lang)} ${text.title} <span class="group-count">${w.groupCount(item.alerts.length, devices)}</span></h3>
<ul class="group-lines">${item.alerts.slice(0, GROUP_LINES).map(line)}</ul>
${item.alerts.length > GROUP_LINES ? html`<details class="group-more"><summary>${w.groupMore(item.alerts.length - GROUP_LINES)}</summary><ul class="group-lines">${item.alerts.slice(GROUP_LINES).map(line)}</ul></details>` : ''}
${fiveParts(text, c.lang, 'attention')}
${ackForm('alert', item.alerts.map((a) => a.id), c)}
</article>`;
}

function questionCard(item: Extract<OpenItem, { type: 'question' }>, c: CardContext): Html {
  const w = OFFICE_WORDS[c.lang];
  const d = item.device;
  const first = item.alerts[0];
  const text = first ? explain(first, 'answer', c) : null;
  return html`<article class="card tone-answer question" data-mac="${item.mac}" data-tone="answer">
<h3>${badge('answer', c.lang)} ${w.ask}</h3>
<p class="question-device">${deviceWithKindHtml(d, c.lang)} <code>${item.mac}</code></p>
<p class="alert-when"><time datetime="${iso(item.at)}">${formatWhen(item.at, c.lang, c.timeZone)}</time></p>
${text ? html`<p>${text.what}</p>` : ''}
<p class="todo">${w.askHelp}</p>
${decideForms(item.mac, c)}
</article>`;
}

/** One card of the "what to do now" list. */
export function openCard(item: OpenItem, c: CardContext): Html {
  if (item.type === 'incident') return incidentCard(item, c);
  if (item.type === 'question') return questionCard(item, c);
  if (item.type === 'group') return groupCard(item, c);
  return alertCard(item, c);
}

/** One line of the history (closed things, newest first). */
export function historyLine(item: HistoryItem, c: CardContext): Html {
  const w = OFFICE_WORDS[c.lang];
  const when = html`<time datetime="${iso(item.at)}">${formatWhen(item.at, c.lang, c.timeZone)}</time>`;
  if (item.type === 'decided') {
    const status = item.device?.status ?? 'new';
    return html`<li data-mac="${item.mac}">${when} ${deviceNameHtml(item.device, c.lang)} — <strong>${w.decided[status]}</strong></li>`;
  }
  if (item.type === 'decision') {
    return html`<li data-mac="${item.mac}" data-decision="${item.action}">${when} ${deviceNameHtml(item.device, c.lang)} <code>${item.mac}</code> — <strong>${w.decision(item.action, item.actor.split('@')[0] ?? item.actor)}</strong></li>`;
  }
  const title = item.type === 'incident' ? explainAlert(incidentAsAlert(item.entry.incident), c.lang, c.catalog, c.desk).title : explain(item.alert, 'notice', c).title;
  const id = item.type === 'incident' ? html` data-incident-id="${item.entry.incident.id}"` : html` data-alert-id="${item.alert.id}"`;
  const ack = item.ack;
  const over = item.type === 'alert' && item.over === true ? html` — <strong class="over">${w.quarantineOver}</strong>` : '';
  return html`<li${id}>${when} ${title}${over}${ack ? html` — <strong>${w.handled(ack.actor.split('@')[0] ?? ack.actor, formatWhen(ack.at, c.lang, c.timeZone))}</strong>${ack.note ? html`<br><span class="ack-note">${w.note}: ${ack.note}</span>` : ''}` : ''}</li>`;
}
