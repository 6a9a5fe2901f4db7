/**
 * Weekly alignment (MODEL.md section 1): dated values are assigned to the week (ending Friday)
 * they fall in; flows are summed, prices and NAVs take the last value of the week.
 */
import { isoToDay, weekEndOf } from "./calendar.js";
import { DataError } from "./errors.js";

/** Index into `weeks` of the week containing each date, or -1 when outside the grid. */
export function weekIndexOf(dates: readonly string[], weeks: readonly string[]): Int32Array {
  const pos = new Map<number, number>();
  weeks.forEach((w, i) => {
    const d = isoToDay(w);
    if (weekEndOf(d) !== d) throw new DataError(`week ${w} is not a Friday`, { week: w });
    pos.set(d, i);
  });
  return Int32Array.from(dates, (s) => pos.get(weekEndOf(isoToDay(s))) ?? -1);
}

/** Sums (flows) or keeps the last value (NAVs, prices) of dated values per week; NaN if none. */
export function alignToWeeks(
  dated: readonly { date: string; value: number }[],
  weeks: readonly string[],
  how: "sum" | "last",
): Float64Array {
  const out = new Float64Array(weeks.length).fill(how === "sum" ? 0 : Number.NaN);
  const lastDay = new Float64Array(weeks.length).fill(Number.NEGATIVE_INFINITY);
  const idx = weekIndexOf(
    dated.map((d) => d.date),
    weeks,
  );
  dated.forEach((d, k) => {
    const i = idx[k];
    if (i < 0) return;
    if (how === "sum") out[i] += d.value;
    else {
      const day = isoToDay(d.date);
      if (day >= lastDay[i]) {
        lastDay[i] = day;
        out[i] = d.value;
      }
    }
  });
  return out;
}

/** Index of the first week with a contribution (t0), or -1. */
export function firstContributionWeek(C: Float64Array): number {
  for (let i = 0; i < C.length; i++) if (C[i] > 0) return i;
  return -1;
}
