// Beaconing, scored the way RITA does it (activecm/rita, analysis/beacons.go), per
// (device, remote address) over a sliding window (24 h):
//  - timestamp score: intervals between connection starts, sorted, zero intervals dropped;
//    score = (bowleyScore + madScore) / 2, where
//      Bowley skew = (Q1 + Q3 - 2·Q2) / (Q3 - Q1), taken as 0 when Q3 - Q1 < 10 or Q2 equals
//      Q1 or Q3; bowleyScore = 1 - |skew|;
//      madScore = (median - MAD) / median when median >= 1 (else a default: 1 for intervals,
//      0 for sizes), clamped at 0;
//  - data-size score: the same on total bytes per connection;
//  - histogram score: 24 equal (hourly) bins over the dataset range; max(CV score, bimodal fit), with
//    CV score = 1 - stddev/mean (0 when CV > 1) and bimodal fit = (two largest frequency-bin
//    counts) / (bars - outlierRemoval) once bars >= histBimodalMinHours, bar heights bucketed
//    by ceil(maxBar · histModeSensitivity);
//  - duration score: when bars >= durMinHours, max(coverage, consistency) with coverage =
//    (last - first) / (dataset range) and consistency = longest run of non-empty bins
//    (wrapping) / durIdealHours, both capped at 1;
//  - combined = Σ weight·sub-score, weights summing to 1 (RITA default 0.25 each), 3 decimals.
// Times are in seconds (event ms / 1000) so RITA's "< 10" guard keeps its meaning.
import { madSorted, medianSorted, quartilesSorted, r3 } from './stats.js';
import type { Thresholds } from './thresholds.js';

/** RITA's statistical score of a sorted list: (Bowley score + MAD score) / 2. */
export function statisticalScore(sorted: number[], defaultMadScore: number): { score: number; skew: number; mad: number } {
  const { q1, q2, q3 } = quartilesSorted(sorted);
  const den = q3 - q1;
  const skew = den >= 10 && q2 !== q1 && q2 !== q3 ? (q1 + q3 - 2 * q2) / den : 0;
  const med = medianSorted(sorted);
  const mad = madSorted(sorted);
  let madScore = med >= 1 ? (med - mad) / med : defaultMadScore;
  if (!(madScore >= 0)) madScore = 0;
  return { score: r3(((1 - Math.abs(skew)) + madScore) / 2), skew, mad };
}

/** Histogram and duration sub-scores for connection times (real seconds, any order) within [dsMin, dsMax]. */
export function histogramAndDuration(ts: number[], dsMin: number, dsMax: number, b: Thresholds['beacon']) {
  // RITA uses 24 bins over its (24 h) dataset, i.e. hourly bins. While the box has watched for
  // less than the window, keep the bins hourly rather than shrinking them, so "hours seen" and
  // "consecutive hours" keep their meaning.
  const bins = Math.max(1, Math.min(24, Math.round((dsMax - dsMin) / 3600)));
  const hist = new Array<number>(bins).fill(0);
  const step = (dsMax - dsMin) / bins;
  for (const t of ts) {
    const k = Math.min(bins - 1, Math.max(0, Math.floor((t - dsMin) / step)));
    hist[k] = (hist[k] ?? 0) + 1;
  }
  let bars = 0, largest = 0, total = 0;
  for (const h of hist) { if (h > 0) bars++; if (h > largest) largest = h; total += h; }
  const binSize = Math.ceil(largest * b.histModeSensitivity);
  const freq = new Map<number, number>();
  let longest = 0, run = 0;
  for (let i = 0; i < bins * 2; i++) {
    const h = hist[i % bins] ?? 0;
    if (h > 0) run++; else { longest = Math.max(longest, run); run = 0; }
    if (i < bins && h > 0) { const k = Math.floor(h / binSize) * binSize; freq.set(k, (freq.get(k) ?? 0) + 1); }
  }
  longest = Math.min(bins, Math.max(longest, run));
  const mean = total / bins;
  let sd = 0;
  for (const h of hist) sd += (h - mean) ** 2;
  const cv = Math.sqrt(sd / bins) / mean;
  const cvScore = cv > 1 ? 0 : Math.min(1, r3(1 - cv));
  let bimodal = 0;
  if (bars >= b.histBimodalMinHours) {
    const top = [...freq.values()].sort((x, y) => y - x);
    bimodal = Math.min(1, r3(((top[0] ?? 0) + (top[1] ?? 0)) / Math.max(bars - b.histBimodalOutlierRemoval, 1)));
  }
  const histScore = Math.max(cvScore, bimodal);
  let coverage = 0, consistency = 0, durScore = 0;
  let first = Infinity, last = -Infinity;
  for (const t of ts) { if (t < first) first = t; if (t > last) last = t; }
  if (bars >= b.durMinHours && last > first) {
    coverage = Math.min(1, Math.ceil(((last - first) / (dsMax - dsMin)) * 1000) / 1000);
    consistency = Math.min(1, Math.ceil((longest / b.durIdealHours) * 1000) / 1000);
    durScore = Math.max(coverage, consistency);
  }
  return { hist, bars, longestRun: longest, cvScore, bimodal, histScore, coverage, consistency, durScore };
}
