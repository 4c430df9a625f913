// The week on the office page: one sentence and one small inline SVG bar chart of blocked
// attempts per day (no external assets, no script, readable without colour: each bar has its
// number and day written under it, and the chart has a text title).
import { html, type Html } from '../html/html.js';
import { OFFICE_WORDS } from '../i18n/office.js';
import { formatDay } from './format.js';
import type { Lang } from '../i18n/types.js';
import type { WeekFacts } from '../office/week.js';

const W = 320;
const H = 120;
const BAR_AREA = 80;

/** The bar chart alone (also used by the monthly report's daily chart). */
export function barChart(bars: ReadonlyArray<{ label: string; value: number | null }>, title: string, noData: string): Html {
  const max = Math.max(1, ...bars.map((b) => b.value ?? 0));
  const step = W / Math.max(1, bars.length);
  const bw = Math.max(4, step * 0.6);
  const small = bars.length > 10;
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${title}">
<title>${title}</title>
${bars.map((b, i) => {
    const x = i * step + (step - bw) / 2;
    const h = b.value === null ? 0 : Math.max(b.value > 0 ? 2 : 0, Math.round((b.value / max) * BAR_AREA));
    const y = 14 + BAR_AREA - h;
    return html`<g><rect x="${x.toFixed(1)}" y="${y}" width="${bw.toFixed(1)}" height="${h}" class="bar"></rect>
${small ? '' : html`<text x="${(x + bw / 2).toFixed(1)}" y="${y - 3}" text-anchor="middle" class="bar-value">${b.value === null ? noData : String(b.value)}</text>`}
${small && i % 5 !== 0 ? '' : html`<text x="${(x + bw / 2).toFixed(1)}" y="${H - 6}" text-anchor="middle" class="bar-label">${b.label}</text>`}</g>`;
  })}
</svg>`;
}

/** The week section: words first, then the chart. */
export function weekSection(w: WeekFacts, lang: Lang): Html {
  const t = OFFICE_WORDS[lang];
  return html`<section class="week" id="week" aria-labelledby="week-heading" data-live>
<h2 id="week-heading">${t.weekHeading}</h2>
<p class="week-words">${t.weekWords({ blocked: w.blocked, alerts: w.alerts, danger: w.danger, newDevices: w.newDevices, days: w.counted })}</p>
${w.counted > 0 ? barChart(w.days.map((d) => ({ label: formatDay(d.day, lang), value: d.blocked })), t.weekChart(w.blocked), t.weekNoData) : ''}
</section>`;
}
