/**
 * Window ends of a run (MODEL.md section 6): by default every quarter-end week from the first one
 * with at least one reported NAV, and the last week; "last" for the last week only; or explicit
 * dates (each must be a week of the fund).
 */
import { isQuarterEndWeek } from "./calendar.js";
import { ConfigError } from "./errors.js";
import type { FundSeries } from "./fund-series.js";

/** 1-based window ends tau, ascending and distinct. */
export function windowEnds(
  f: FundSeries,
  spec: "quarterly" | "last" | readonly string[],
): number[] {
  const T = f.weeks.length;
  if (spec === "last") return [T];
  if (Array.isArray(spec)) {
    const out = spec.map((w) => {
      const i = f.weeks.indexOf(w);
      if (i < 0)
        throw new ConfigError(`window ${w} is not a week of fund ${f.name}`, { window: w });
      return i + 1;
    });
    return [...new Set(out)].sort((a, b) => a - b);
  }
  let firstNav = -1;
  for (let i = 0; i < T; i++) {
    if (!Number.isNaN(f.navGp[i])) {
      firstNav = i;
      break;
    }
  }
  const ends: number[] = [];
  if (firstNav >= 0) {
    for (let i = firstNav; i < T; i++) if (isQuarterEndWeek(f.weeks[i])) ends.push(i + 1);
  }
  if (ends[ends.length - 1] !== T) ends.push(T);
  return ends;
}
