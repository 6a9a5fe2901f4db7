import type { Solved } from "./solve.js";
import { solveRate } from "./solve.js";

/**
 * A dated cash flow from the investor's side: negative when paid into the fund (a contribution),
 * positive when paid out (a distribution). Dates are ISO calendar dates (YYYY-MM-DD).
 */
export interface DatedFlow {
  readonly date: string;
  readonly amount: number;
}

const DAY_MS = 86_400_000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Days since 1970-01-01 of an ISO date, refusing anything that is not a real calendar date. */
export function dayNumber(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (
    !ISO_DATE.test(date) ||
    Number.isNaN(ms) ||
    new Date(ms).toISOString().slice(0, 10) !== date
  ) {
    throw new Error(`${JSON.stringify(date)} is not a calendar date (YYYY-MM-DD)`);
  }
  return ms / DAY_MS;
}

function checkFlows(flows: readonly DatedFlow[]): void {
  if (flows.length === 0) throw new Error("no cash flows");
  flows.forEach((f, i) => {
    if (!Number.isFinite(f.amount))
      throw new Error(`flow ${i + 1} (${f.date}): amount ${f.amount} is not a number`);
    dayNumber(f.date);
  });
}

/**
 * XIRR: the annual rate r with sum(amount / (1 + r)^(days / 365)) = 0, days counted from the
 * earliest flow (actual/365, as Excel's XIRR). Flows may come in any order. Returns
 * `{ ok: false }` with the reason when no rate exists (for example, all flows of one sign).
 */
export function xirr(flows: readonly DatedFlow[], guess = 0.1): Solved {
  checkFlows(flows);
  const start = Math.min(...flows.map((f) => dayNumber(f.date)));
  const years = flows.map((f) => (dayNumber(f.date) - start) / 365);
  const amounts = flows.map((f) => f.amount);
  if (!amounts.some((a) => a < 0) || !amounts.some((a) => a > 0)) {
    return {
      ok: false,
      reason: "IRR needs at least one contribution and one distribution or value",
    };
  }
  return solveRate((r) => {
    let s = 0;
    const l = Math.log1p(r);
    for (let i = 0; i < amounts.length; i++)
      s += (amounts[i] as number) * Math.exp(-(years[i] as number) * l);
    return s;
  }, guess);
}

/** IRR per period of equally spaced flows (period 0 first). */
export function periodicIrr(amounts: readonly number[], guess = 0.1): Solved {
  if (!amounts.some((a) => a < 0) || !amounts.some((a) => a > 0)) {
    return {
      ok: false,
      reason: "IRR needs at least one contribution and one distribution or value",
    };
  }
  return solveRate((r) => {
    const l = Math.log1p(r);
    return amounts.reduce((s, a, t) => s + a * Math.exp(-t * l), 0);
  }, guess);
}

export interface Multiples {
  /** Paid in: the sum of contributions, as a positive number. */
  readonly paidIn: number;
  readonly distributed: number;
  readonly nav: number;
  /** Total value to paid in: (distributions + NAV) / contributions. */
  readonly tvpi: number;
  /** Distributed to paid in. */
  readonly dpi: number;
  /** Residual value to paid in: NAV / contributions. */
  readonly rvpi: number;
}

/** TVPI, DPI and RVPI from investor-side flows and the current NAV. */
export function multiples(flows: readonly DatedFlow[], nav: number): Multiples {
  checkFlows(flows);
  if (!Number.isFinite(nav) || nav < 0) throw new Error(`NAV ${nav} must be a number >= 0`);
  const paidIn = -flows.reduce((s, f) => s + Math.min(0, f.amount), 0);
  const distributed = flows.reduce((s, f) => s + Math.max(0, f.amount), 0);
  if (paidIn === 0) throw new Error("multiples need at least one contribution");
  return {
    paidIn,
    distributed,
    nav,
    tvpi: (distributed + nav) / paidIn,
    dpi: distributed / paidIn,
    rvpi: nav / paidIn,
  };
}

/**
 * A portfolio's own cash flows: flows of the same date summed (a call from one fund and a
 * distribution from another on one day move no money). Portfolio totals of TVPI, DPI and IRR are
 * computed on these, as the published pedata.csv totals are. Sorted by date; zero sums dropped.
 */
export function netByDate(flows: readonly DatedFlow[]): DatedFlow[] {
  const byDate = new Map<string, number>();
  for (const f of flows) byDate.set(f.date, (byDate.get(f.date) ?? 0) + f.amount);
  return [...byDate.entries()]
    .filter(([, amount]) => amount !== 0)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([date, amount]) => ({ date, amount }));
}
