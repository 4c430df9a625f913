// GET /report/YYYY-MM: the monthly report, print-ready (A4). Read-only. The month key is
// validated; the facts come from the daemon's office port, the figures from report/model.ts.
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { OfficePort } from '../deps/deps.js';
import { html } from '../html/html.js';
import { REPORT_WORDS } from '../i18n/report.js';
import type { Lang } from '../i18n/types.js';
import { buildMonthlyReport } from '../report/model.js';
import { layout } from '../views/layout.js';
import { renderMessage } from '../views/message.js';
import { renderReport } from '../views/report.js';

export const MonthSchema = z.string().regex(/^(19|20)\d{2}-(0[1-9]|1[0-2])$/).describe('YYYY-MM');

/** The month before `month` (YYYY-MM). */
export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y ?? 2000, (m ?? 1) - 2, 1));
  return d.toISOString().slice(0, 7);
}

/** The /report router: /report/YYYY-MM renders, /report redirects to the current month. */
export function reportRouter(office: OfficePort, o: { lang: (req: Request) => Lang; timeZone: string; deviceId: () => string; now: () => number }): Router {
  const r = Router();
  r.get('/', (_req, res) => {
    res.redirect(302, `/report/${office.dayOf(o.now()).slice(0, 7)}`);
  });
  r.get('/:month', (req, res) => {
    const lang = o.lang(req);
    const month = MonthSchema.safeParse(req.params['month']);
    if (!month.success) {
      res.status(404).type('html').send(renderMessage(lang, REPORT_WORDS[lang].noReport).toString());
      return;
    }
    const facts = office.report(month.data);
    if (!facts) {
      res.status(404).type('html').send(renderMessage(lang, REPORT_WORDS[lang].noReport).toString());
      return;
    }
    const report = buildMonthlyReport(facts);
    const names = new Map([...facts.devices.new, ...facts.devices.eol, ...facts.devices.quarantined].map((d) => [d.mac, d]));
    for (const d of facts.knownDevices ?? []) if (!names.has(d.mac)) names.set(d.mac, d);
    const body = renderReport({ lang, timeZone: o.timeZone, deviceId: o.deviceId(), report, deviceNames: names, previousMonth: previousMonth(month.data) });
    res.type('html').send(layout({ lang, title: REPORT_WORDS[lang].title(month.data), stylesheets: ['/static/report.css'], scripts: ['/static/report.js'] }, html`${body}`).toString());
  });
  return r;
}
