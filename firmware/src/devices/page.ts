// The device list on the staff page and its state-changing actions. The section shows every
// device in plain words and asks about new ones; the buttons appear only after login, and
// the routes live under /actions (CSRF check + login by construction, see webui/src/app.ts).
// Device-supplied strings (hostname, vendor class) are hostile: html`` escapes every value.
import type { Request, Response, Router } from 'express';
import { html, sessionOf, type Html, type Lang, type PageContext, type WebExtensions } from '../../../webui/src/index.js';
import { formatWhen } from '../../../webui/src/views/format.js';
import type { DevicesFeature } from './feature.js';
import { normaliseMac } from '../net/mac.js';
import type { Device, DeviceStatus } from './model.js';

const SHOWN = 200;
const TIME_ZONE = 'Asia/Tokyo';

const T = {
  ja: {
    heading: '社内のネットワークにつながっている機器',
    learning: (until: string) => `いまは学習期間中です（${until}まで）。この間につながった機器は「いつもの機器」として覚え、お知らせはしません。`,
    none: 'まだ機器を見つけていません。',
    ask: 'この機器に心当たりはありますか？',
    askHelp: '心当たりがあれば「承認する」を、なければ「隔離する」を押してください。隔離すると、その機器はインターネットにも社内のほかの機器にもつながらなくなります。',
    approve: '承認する（心当たりがある）', quarantine: '隔離する', release: '隔離を解除する',
    loginToAct: '承認や隔離をするには、ページ下のログインをしてください。', loginLink: 'ログインへ',
    noName: '名前のない機器', vendor: 'メーカー', os: '種類の見立て', status: '状態', firstSeen: 'はじめて見た日時', lastSeen: '最後に見た日時', address: '機器の識別番号', ip: 'ネットワーク上の番号',
    privateMac: '（スマートフォンなどが使う、一時的な識別番号です）', phone: '私物のスマートフォンかもしれません。', eol: 'サポートが終了した古いパソコンのようです。ウイルスに感染しやすく危険です。',
    unknownVendor: '不明', unknownOs: '分かりません',
    statuses: { learning: 'いつもの機器（学習期間中に記録）', approved: '承認済み', new: '未確認（心当たりの確認待ち）', quarantined: '隔離中' } as Record<DeviceStatus, string>,
    types: { pc: 'パソコン', phone: 'スマートフォン', tablet: 'タブレット', printer: 'プリンター', nas: 'NAS（ファイル共有の機器）', iot: '小型のネット機器', unknown: '種類不明' } as Record<string, string>,
    more: (n: number) => `ほかに ${n} 台あります（技術者は utmctl devices で全部を見られます）。`,
  },
  en: {
    heading: 'Devices on the office network',
    learning: (until: string) => `The box is still learning (until ${until}). Devices that join now are remembered as usual devices, without alerts.`,
    none: 'No devices found yet.',
    ask: 'Do you recognise this device?',
    askHelp: 'If you do, press "Approve". If not, press "Quarantine": the device can then reach neither the internet nor other office devices.',
    approve: 'Approve (I recognise it)', quarantine: 'Quarantine', release: 'Release from quarantine',
    loginToAct: 'To approve or quarantine devices, log in at the bottom of the page.', loginLink: 'Log in',
    noName: 'Unnamed device', vendor: 'Maker', os: 'Best guess', status: 'Status', firstSeen: 'First seen', lastSeen: 'Last seen', address: 'Device ID', ip: 'Network address',
    privateMac: '(a temporary ID, as phones use)', phone: 'This may be someone\'s personal phone.', eol: 'This looks like an old computer whose support has ended. It is easily infected.',
    unknownVendor: 'unknown', unknownOs: 'unknown',
    statuses: { learning: 'Usual device (seen while learning)', approved: 'Approved', new: 'Not yet confirmed', quarantined: 'Quarantined' } as Record<DeviceStatus, string>,
    types: { pc: 'computer', phone: 'smartphone', tablet: 'tablet', printer: 'printer', nas: 'NAS (file storage)', iot: 'small network device', unknown: 'unknown type' } as Record<string, string>,
    more: (n: number) => `${n} more (a technician sees all with utmctl devices).`,
  },
} as const;

function actionForm(verb: 'approve' | 'quarantine' | 'release', mac: string, csrf: string, label: string): Html {
  return html`<form method="post" action="/actions/devices/${verb}" class="device-action device-${verb}">
<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="mac" value="${mac}">
<button type="submit">${label}</button></form>`;
}

function deviceCard(d: Device, ctx: PageContext): Html {
  const t = T[ctx.lang];
  const loggedIn = ctx.session.user !== null;
  const name = d.label ?? d.hostname ?? t.noName;
  const os = [d.osName || null, t.types[d.deviceType] ?? d.deviceType].filter(Boolean).join(' / ') || t.unknownOs;
  const buttons: Html[] = [];
  if (loggedIn) {
    if (d.status !== 'approved') buttons.push(actionForm('approve', d.mac, ctx.session.csrf, t.approve));
    if (d.status === 'quarantined') buttons.push(actionForm('release', d.mac, ctx.session.csrf, t.release));
    else buttons.push(actionForm('quarantine', d.mac, ctx.session.csrf, t.quarantine));
  }
  return html`<article class="alert device device-${d.status}" data-mac="${d.mac}">
<h3>${name}${d.label && d.hostname ? html` <small>(${d.hostname})</small>` : ''}</h3>
${d.status === 'new' ? html`<p class="device-ask"><strong>${t.ask}</strong> ${t.askHelp}</p>` : ''}
${d.eol ? html`<p class="device-eol">${t.eol}</p>` : ''}${d.likelyPersonalPhone ? html`<p class="device-phone">${t.phone}</p>` : ''}
<dl>
<dt>${t.status}</dt><dd>${t.statuses[d.status]}</dd>
<dt>${t.vendor}</dt><dd>${d.vendor ?? t.unknownVendor}</dd>
<dt>${t.os}</dt><dd>${os}</dd>
<dt>${t.address}</dt><dd><code>${d.mac}</code> ${d.randomised ? t.privateMac : ''}</dd>
${d.ipv4[0] ?? d.ipv6[0] ? html`<dt>${t.ip}</dt><dd><code>${d.ipv4[0] ?? d.ipv6[0]}</code></dd>` : ''}
<dt>${t.firstSeen}</dt><dd>${formatWhen(d.firstSeen, ctx.lang, TIME_ZONE)}</dd>
<dt>${t.lastSeen}</dt><dd>${formatWhen(d.lastSeen, ctx.lang, TIME_ZONE)}</dd>
</dl>
${buttons.length ? html`<div class="device-actions">${buttons}</div>` : ''}
</article>`;
}

/** The page section: learning note, then devices needing an answer first. */
export function devicesSection(f: Pick<DevicesFeature, 'list'>, ctx: PageContext): Html {
  const t = T[ctx.lang];
  const { devices, learning } = f.list();
  const rank: Record<DeviceStatus, number> = { quarantined: 0, new: 1, approved: 2, learning: 3 };
  const sorted = [...devices].sort((a, b) => rank[a.status] - rank[b.status] || b.lastSeen - a.lastSeen);
  const shown = sorted.slice(0, SHOWN);
  const needLogin = ctx.session.user === null && devices.some((d) => d.status === 'new' || d.status === 'quarantined');
  return html`<section class="devices" id="devices" aria-labelledby="devices-heading">
<h2 id="devices-heading">${t.heading}</h2>
${learning.active ? html`<p class="devices-learning">${t.learning(formatWhen(learning.until, ctx.lang, TIME_ZONE))}</p>` : ''}
${needLogin ? html`<p class="devices-login">${t.loginToAct} <a href="#login">${t.loginLink}</a></p>` : ''}
${shown.length === 0 ? html`<p>${t.none}</p>` : shown.map((d) => deviceCard(d, ctx))}
${sorted.length > SHOWN ? html`<p>${t.more(sorted.length - SHOWN)}</p>` : ''}
</section>`;
}

/** Who acted, for the audit log: the page's login and the client's address. */
export function webActor(user: string | null, clientIp: string): string {
  return `${user ?? 'unknown'}@${clientIp}`.slice(0, 64);
}

/** Routes POST /actions/devices/{approve,quarantine,release} (mounted behind CSRF + login). */
export function mountDeviceActions(f: Pick<DevicesFeature, 'act' | 'now'>, router: Router): void {
  for (const verb of ['approve', 'quarantine', 'release'] as const) {
    router.post(`/devices/${verb}`, async (req: Request, res: Response) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const mac = typeof body['mac'] === 'string' ? normaliseMac(body['mac']) : null;
      if (mac === null) { res.status(400).type('text').send('bad device'); return; }
      const s = sessionOf(res);
      const r = await f.act({ type: verb, mac, actor: webActor(s.user, s.clientIp), at: f.now() });
      if (!r.ok) { res.status(r.reason === 'unknown_device' ? 404 : 400).type('text').send(r.reason); return; }
      res.redirect(303, '/#devices');
    });
  }
}

/** The feature's web extensions. */
export function devicesWeb(f: DevicesFeature): WebExtensions {
  return { sections: [(ctx) => devicesSection(f, ctx)], actions: [(router) => mountDeviceActions(f, router)] };
}

export type { Lang };
