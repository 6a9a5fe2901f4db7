import type { DatedFlow } from "./cash-flows.js";
import { periodicIrr, xirr } from "./cash-flows.js";
import type { Solved } from "./solve.js";

/** A flow with the level of the benchmark's total-return index on its date. */
export interface IndexedFlow extends DatedFlow {
  readonly index: number;
}

function checkIndex(flows: readonly { index: number }[], finalIndex: number): void {
  for (const f of [...flows.map((x) => x.index), finalIndex]) {
    if (!Number.isFinite(f) || f <= 0)
      throw new Error(`index level ${f} must be a positive number`);
  }
}

/**
 * Kaplan-Schoar PME: distributions plus final NAV over contributions, each flow compounded to the
 * valuation date by the index: (sum D_i I_T/I_i + NAV_T) / (sum C_i I_T/I_i). Above 1, the fund
 * beat the index.
 */
export function ksPme(
  flows: readonly { amount: number; index: number }[],
  nav: number,
  finalIndex: number,
): number {
  checkIndex(flows, finalIndex);
  let c = 0;
  let d = 0;
  for (const f of flows) {
    const g = finalIndex / f.index;
    if (f.amount < 0) c -= f.amount * g;
    else d += f.amount * g;
  }
  if (c === 0) throw new Error("KS-PME needs at least one contribution");
  return (d + nav) / c;
}

/**
 * Long-Nickels PME: the value an investor would hold had every contribution bought the index and
 * every distribution sold it (PME_t = PME_{t-1} I_t/I_{t-1} + C_t - D_t, period flows), and the IRR
 * of the flows with that value at the end.
 */
export function longNickels(
  amounts: readonly number[],
  index: readonly number[],
): { pmeNav: number; irr: Solved } {
  if (amounts.length !== index.length) throw new Error("one index level per period is needed");
  checkIndex(
    index.map((i) => ({ index: i })),
    index[index.length - 1] ?? 1,
  );
  let v = 0;
  for (let t = 0; t < amounts.length; t++) {
    if (t > 0) v *= (index[t] as number) / (index[t - 1] as number);
    v -= amounts[t] as number;
  }
  const withNav = [...amounts];
  withNav[withNav.length - 1] = (withNav[withNav.length - 1] as number) + v;
  return { pmeNav: v, irr: periodicIrr(withNav) };
}

/**
 * Direct Alpha (Gredil, Griffiths and Stucke 2014): b is the IRR of the flows compounded to the
 * valuation date by the index, with the NAV at the end; Direct Alpha is ln(1 + b), continuously
 * compounded per year. (b itself is the per-period convention some publications use.)
 */
export function directAlpha(
  flows: readonly IndexedFlow[],
  nav: { date: string; amount: number; index: number },
): { ok: true; alpha: number; perPeriod: number } | { ok: false; reason: string } {
  checkIndex(flows, nav.index);
  const compounded: DatedFlow[] = flows.map((f) => ({
    date: f.date,
    amount: (f.amount * nav.index) / f.index,
  }));
  compounded.push({ date: nav.date, amount: nav.amount });
  const b = xirr(compounded);
  return b.ok ? { ok: true, alpha: Math.log1p(b.rate), perPeriod: b.rate } : b;
}
