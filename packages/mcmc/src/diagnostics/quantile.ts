/** Sample quantile, R's default type 7 (linear interpolation between order statistics). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Type-7 quantile of unsorted values. */
export function quantile(x: ArrayLike<number>, p: number): number {
  return quantileSorted(Float64Array.from(x as ArrayLike<number>).sort(), p);
}
