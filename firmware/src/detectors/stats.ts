// Robust statistics on sorted numeric arrays (quartiles as in montanaflynn/stats, used by RITA).

/** Median of an ascending array; NaN when empty. */
export function medianSorted(a: ArrayLike<number>): number {
  const n = a.length;
  if (n === 0) return NaN;
  const m = n >> 1;
  const hi = a[m] ?? NaN; // 0 < n, so m and m - 1 (n even) are inside
  return n % 2 === 1 ? hi : ((a[m - 1] ?? NaN) + hi) / 2;
}

/** Q1, Q2, Q3 of an ascending array (Tukey hinges: halves exclude the median when n is odd). */
export function quartilesSorted(a: ArrayLike<number>): { q1: number; q2: number; q3: number } {
  const n = a.length;
  const arr = Array.from(a);
  const half = n >> 1;
  const lower = arr.slice(0, half);
  const upper = n % 2 === 1 ? arr.slice(half + 1) : arr.slice(half);
  return { q1: medianSorted(lower), q2: medianSorted(arr), q3: medianSorted(upper) };
}

/** Median absolute deviation about the median of an ascending array. */
export function madSorted(a: ArrayLike<number>): number {
  const med = medianSorted(a);
  const dev = Array.from(a, (x) => Math.abs(x - med)).sort((x, y) => x - y);
  return medianSorted(dev);
}

/** Round to 3 decimals, as RITA stores its scores. */
export const r3 = (x: number): number => Math.round(x * 1000) / 1000;
