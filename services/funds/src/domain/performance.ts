import type { DatedFlow, Solved } from "@portal/fund-metrics";
import { directAlpha, ksPme, multiples, xirr } from "@portal/fund-metrics";
import type { ReturnSeries } from "@portal/workbook";
import type { MarketConfig } from "./market-config.js";
import type { WeeklyTable } from "./weekly.js";

const DAY_MS = 86_400_000;
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;

export type Levels = { ok: true; levels: number[] } | { ok: false; reason: string };

/** A series' cumulative total-return level as of each date asked (ascending): prod (1 + r). */
function levelsAsOf(s: ReturnSeries, dates: string[]): number[] {
  const out: number[] = [];
  let j = 0;
  let level = 1;
  for (const d of dates) {
    while (j < s.dates.length && (s.dates[j] as string) <= d)
      level *= 1 + (s.returns[j++] as number);
    out.push(level);
  }
  return out;
}

/**
 * The fund's market index on its weekly grid (level 1 in the first week): each week's growth is
 * that of the market series of the regime in force at the week's end, so a change of benchmark
 * chains the two series rather than jumping between their levels. Refuses weeks no regime covers
 * and series that do not cover the weeks they are used for.
 */
export function marketIndex(
  weeks: string[],
  config: MarketConfig,
  series: ReadonlyMap<string, ReturnSeries>,
): Levels {
  const levelsBySeries = new Map<string, number[]>();
  const levels = [1];
  for (let k = 1; k < weeks.length; k++) {
    const week = weeks[k] as string;
    const prev = weeks[k - 1] as string;
    const regime = [...config.regimes].reverse().find((r) => r.from === null || r.from <= week);
    if (!regime) return { ok: false, reason: `no market regime covers the week of ${week}` };
    const s = series.get(regime.market);
    if (!s) return { ok: false, reason: `market series "${regime.market}" has no data` };
    const first = s.dates[0] as string;
    const last = s.dates[s.dates.length - 1] as string;
    if (first > prev || day(last) < day(week) - 6)
      return {
        ok: false,
        reason: `market series "${s.name}" covers ${first} to ${last}; the fund needs ${prev} to ${week}`,
      };
    let l = levelsBySeries.get(s.name);
    if (!l) {
      l = levelsAsOf(s, weeks);
      levelsBySeries.set(s.name, l);
    }
    levels.push((levels[k - 1] as number) * ((l[k] as number) / (l[k - 1] as number)));
  }
  return { ok: true, levels };
}

export interface Performance {
  /** The week of the latest reported NAV (the last week when none was reported). */
  readonly valuationDate: string;
  readonly nav: number;
  readonly paidIn: number;
  readonly distributed: number;
  readonly tvpi: number;
  readonly dpi: number;
  readonly rvpi: number;
  /** XIRR of the dated flows and the NAV at the valuation date (actual/365). */
  readonly irr: Solved;
  /** Kaplan-Schoar PME against the market index; absent with `pmeUnavailable` saying why. */
  readonly ksPme?: number;
  /** Direct Alpha as ln(1 + b) per year (continuously compounded), b per year. */
  readonly directAlpha?: Solved;
  readonly pmeUnavailable?: string;
  /** Flows dated after the valuation date: left out, since no NAV reflects them. */
  readonly flowsAfterValuation: number;
}

/**
 * A fund's performance from its canonical weekly data (MODEL.md weeks, flows on the week they
 * fall in): multiples and IRR from the flows up to the latest NAV, and KS-PME and Direct Alpha
 * against the market index on the same weeks when one is given (validation/metrics.md).
 */
export function performance(t: WeeklyTable, index?: Levels): Performance {
  let v = -1;
  for (let k = t.week.length - 1; k >= 0; k--) {
    if (t.nav[k] !== null) {
      v = k;
      break;
    }
  }
  const end = v >= 0 ? v : t.week.length - 1;
  const nav = v >= 0 ? (t.nav[v] as number) : 0;
  const valuationDate = t.week[end] as string;
  const flows: (DatedFlow & { k: number })[] = [];
  let after = 0;
  t.week.forEach((week, k) => {
    const c = t.contribution[k] as number;
    const d = t.distribution[k] as number;
    if (k > end) {
      after += (c > 0 ? 1 : 0) + (d > 0 ? 1 : 0);
      return;
    }
    if (c > 0) flows.push({ date: week, amount: -c, k });
    if (d > 0) flows.push({ date: week, amount: d, k });
  });
  const m = multiples(flows, nav);
  const irr = xirr(nav > 0 ? [...flows, { date: valuationDate, amount: nav }] : flows);
  const base = {
    valuationDate,
    nav,
    paidIn: m.paidIn,
    distributed: m.distributed,
    tvpi: m.tvpi,
    dpi: m.dpi,
    rvpi: m.rvpi,
    irr,
    flowsAfterValuation: after,
  };
  if (!index) return { ...base, pmeUnavailable: "no market series is configured for this fund" };
  if (!index.ok) return { ...base, pmeUnavailable: index.reason };
  const levels = index.levels;
  const indexed = flows.map((f) => ({ ...f, index: levels[f.k] as number }));
  const finalIndex = levels[end] as number;
  return {
    ...base,
    ksPme: ksPme(indexed, nav, finalIndex),
    directAlpha: (() => {
      const a = directAlpha(indexed, { date: valuationDate, amount: nav, index: finalIndex });
      return a.ok ? { ok: true as const, rate: a.alpha } : a;
    })(),
  };
}
