import type { Cell } from "@portal/hashing";
import type { FundRow } from "@portal/workbook";

const DAY_MS = 86_400_000;

/** The Friday that ends the week of `iso` (MODEL.md section 1: weeks end on Fridays). */
export function weekEnd(iso: string): string {
  const ms = Date.parse(`${iso}T00:00:00Z`);
  const dow = new Date(ms).getUTCDay(); // 0 Sunday .. 5 Friday
  return new Date(ms + ((5 - dow + 7) % 7) * DAY_MS).toISOString().slice(0, 10);
}

/** A fund's canonical weekly table: one row per Friday from its first week to its last. */
export interface WeeklyTable {
  readonly week: string[];
  readonly contribution: number[];
  readonly distribution: number[];
  readonly nav: (number | null)[];
  readonly secondaryPrice: (number | null)[];
}

/**
 * Aligns a fund's rows to the weekly grid: flows summed within each week, the NAV and secondary
 * price as of the week's last report in it, missing where none was reported. Weeks with nothing
 * are kept with zero flows, so the grid has no holes.
 */
export function toWeekly(rows: readonly FundRow[]): WeeklyTable {
  const sorted = [...rows].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (!first || !last) throw new Error("a fund needs at least one row");
  const t: { -readonly [K in keyof WeeklyTable]: WeeklyTable[K] } = {
    week: [],
    contribution: [],
    distribution: [],
    nav: [],
    secondaryPrice: [],
  };
  const index = new Map<string, number>();
  for (
    let ms = Date.parse(`${weekEnd(first.date)}T00:00:00Z`),
      end = Date.parse(`${weekEnd(last.date)}T00:00:00Z`);
    ms <= end;
    ms += 7 * DAY_MS
  ) {
    const w = new Date(ms).toISOString().slice(0, 10);
    index.set(w, t.week.length);
    t.week.push(w);
    t.contribution.push(0);
    t.distribution.push(0);
    t.nav.push(null);
    t.secondaryPrice.push(null);
  }
  for (const r of sorted) {
    const i = index.get(weekEnd(r.date)) as number;
    t.contribution[i] = (t.contribution[i] as number) + r.contribution;
    t.distribution[i] = (t.distribution[i] as number) + r.distribution;
    if (r.nav !== null) t.nav[i] = r.nav;
    if (r.secondaryPrice !== null) t.secondaryPrice[i] = r.secondaryPrice;
  }
  return t;
}

/** The table as the columns @portal/hashing's dataHash takes. */
export function hashColumns(t: WeeklyTable): Record<string, Cell[]> {
  return {
    week: t.week,
    contribution: t.contribution,
    distribution: t.distribution,
    nav: t.nav,
    secondary_price: t.secondaryPrice,
  };
}
