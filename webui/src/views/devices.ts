// The device list on the staff page. The section shows every device in plain words and asks
// about new ones; the buttons appear only after login, and the routes live under /actions
// (CSRF check + login by construction, see app.ts and routes/deviceActions.ts).
// Device-supplied strings (hostname, vendor class) are hostile: html`` escapes every value.
import type { Device, DeviceStatus } from '../../../firmware/src/devices/model.js';
import type { DeviceListView } from '../../../firmware/src/devices/view.js';
import type { PageContext } from '../deps/deps.js';
import { html, type Html } from '../html/html.js';
import { DEVICE_WORDS } from '../i18n/devices.js';
import { deviceGivenHtml, deviceNameHtml } from './deviceName.js';
import { formatWhen } from './format.js';

const SHOWN = 200;

function actionForm(verb: 'approve' | 'quarantine' | 'release', mac: string, csrf: string, label: string): Html {
  // The <details> step is the confirmation: nothing is sent until the inner button is pressed.
  return html`<details class="act device-action device-${verb}"><summary>${label}</summary>
<form method="post" action="/actions/devices/${verb}">
<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="mac" value="${mac}">
<button type="submit">${label}</button></form></details>`;
}

function deviceCard(d: Device, ctx: PageContext): Html {
  const t = DEVICE_WORDS[ctx.lang];
  const loggedIn = ctx.session.user !== null;
  const os = [d.osName || null, t.types[d.deviceType] ?? d.deviceType].filter(Boolean).join(' / ') || t.unknownOs;
  const buttons: Html[] = [];
  if (loggedIn) {
    if (d.status !== 'approved') buttons.push(actionForm('approve', d.mac, ctx.session.csrf, t.approve));
    if (d.status === 'quarantined') buttons.push(actionForm('release', d.mac, ctx.session.csrf, t.release));
    else buttons.push(actionForm('quarantine', d.mac, ctx.session.csrf, t.quarantine));
  }
  return html`<article class="alert device device-${d.status}" data-mac="${d.mac}">
<h3>${d.label || d.hostname ? deviceNameHtml(d, ctx.lang) : t.noName}</h3>
${d.status === 'new' ? html`<p class="device-ask"><strong>${t.ask}</strong> ${t.askHelp}</p>` : ''}
${d.eol ? html`<p class="device-eol">${t.eol}</p>` : ''}${d.likelyPersonalPhone ? html`<p class="device-phone">${t.phone}</p>` : ''}
<dl>
<dt>${t.status}</dt><dd>${t.statuses[d.status]}</dd>
<dt>${t.vendor}</dt><dd>${d.vendor ?? t.unknownVendor}</dd>
${d.fingerprint?.vendorClass ? html`<dt>${t.vendorClass}</dt><dd>${deviceGivenHtml(d.fingerprint.vendorClass, ctx.lang)}</dd>` : ''}
<dt>${t.os}</dt><dd>${os}</dd>
<dt>${t.address}</dt><dd><code>${d.mac}</code> ${d.randomised ? t.privateMac : ''}</dd>
${d.ipv4[0] ?? d.ipv6[0] ? html`<dt>${t.ip}</dt><dd><code>${d.ipv4[0] ?? d.ipv6[0]}</code></dd>` : ''}
<dt>${t.firstSeen}</dt><dd>${formatWhen(d.firstSeen, ctx.lang, ctx.timeZone)}</dd>
<dt>${t.lastSeen}</dt><dd>${formatWhen(d.lastSeen, ctx.lang, ctx.timeZone)}</dd>
</dl>
${buttons.length ? html`<div class="device-actions">${buttons}</div>` : ''}
</article>`;
}

/** The page section: learning note, then devices needing an answer first. */
export function devicesSection(view: { list(): DeviceListView }, ctx: PageContext): Html {
  const t = DEVICE_WORDS[ctx.lang];
  return html`<section class="devices" id="devices" aria-labelledby="devices-heading">
<h2 id="devices-heading">${t.heading}</h2>
${devicesList(view.list(), ctx)}
</section>`;
}

/** The device list itself: learning note, login hint, devices needing an answer first. */
export function devicesList(list: DeviceListView, ctx: PageContext): Html {
  const t = DEVICE_WORDS[ctx.lang];
  const { devices, learning } = list;
  const rank: Record<DeviceStatus, number> = { quarantined: 0, new: 1, approved: 2, learning: 3 };
  const sorted = [...devices].sort((a, b) => rank[a.status] - rank[b.status] || b.lastSeen - a.lastSeen);
  const shown = sorted.slice(0, SHOWN);
  const needLogin = ctx.session.user === null && devices.some((d) => d.status === 'new' || d.status === 'quarantined');
  return html`${learning.active ? html`<p class="devices-learning">${t.learning(formatWhen(learning.until, ctx.lang, ctx.timeZone))}</p>` : ''}
${needLogin ? html`<p class="devices-login">${t.loginToAct} <a href="#login">${t.loginLink}</a></p>` : ''}
${shown.length === 0 ? html`<p>${t.none}</p>` : shown.map((d) => deviceCard(d, ctx))}
${sorted.length > SHOWN ? html`<p>${t.more(sorted.length - SHOWN)}</p>` : ''}`;
}
