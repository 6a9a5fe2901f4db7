/**
 * Generator of realistic fund skeletons: what a simulated fund is built on before the model adds
 * its randomness. A 10-year buyout-like fund by default: capital calls in years 1-5,
 * distributions in years 4-10, GP NAVs at quarter ends, a market series and the GARCH(1,1)
 * parameters of the comparable's residual.
 */
import { isQuarterEndWeek, weekEnds } from "./calendar.js";
import { createRng, normal, type RngState, uniform } from "./rng.js";

/** The deterministic frame of a simulated fund. */
export interface FundSkeleton {
  readonly name: string;
  readonly weeks: readonly string[];
  /** Capital calls C_t (the first week has the first call). */
  readonly contributions: Float64Array;
  /** 1 where a distribution is paid (its size comes from the model). */
  readonly distributionWeeks: Uint8Array;
  /** 1 where the GP reports a NAV. */
  readonly navWeeks: Uint8Array;
  /** 1 where a secondary price is observed. */
  readonly secondaryWeeks: Uint8Array;
  /** Market log returns m_t. */
  readonly market: Float64Array;
  /** Comparable's regression on the market. */
  readonly alphaC: number;
  readonly betaCM: number;
  /** GARCH(1,1) of the comparable's residual: h_t = omega + a u_{t-1}^2 + b h_{t-1}. */
  readonly garch: { omega: number; a: number; b: number };
}

/** Options of `generateSkeleton`. */
export interface SkeletonOptions {
  seed: number;
  name?: string;
  /** Life in years (default 10); calls run over the first half, distributions from year 4. */
  years?: number;
  /** First week (ISO date; default 2015-01-09). */
  start?: string;
  /** Total called capital (default 100). */
  commitment?: number;
  /** How many secondary prices to place at random quarter ends (default 0). */
  secondaryCount?: number;
}

const WEEKS_PER_YEAR = 52;

/** A buyout-like skeleton; pure in its options. */
export function generateSkeleton(o: SkeletonOptions): FundSkeleton {
  const years = o.years ?? 10;
  const T = Math.round(years * WEEKS_PER_YEAR);
  const rng = createRng(o.seed, 0x5e1e);
  const weeks = weekEnds(o.start ?? "2015-01-09", T);
  const commitment = o.commitment ?? 100;
  const contributions = new Float64Array(T);
  // calls: the first week, then roughly quarterly over the first half of the life (years 1-5 of
  // 10), front-loaded
  const callEnd = Math.max(1, Math.round((T * 5) / 10));
  const callWeeks = [0];
  for (let w = 13; w < callEnd; w += 9 + Math.floor(9 * uniform(rng))) callWeeks.push(w);
  const weights = callWeeks.map((w) => (1 - (0.7 * w) / callEnd) * (0.5 + uniform(rng)));
  const total = weights.reduce((a, b) => a + b, 0);
  callWeeks.forEach((w, k) => {
    contributions[w] += (commitment * weights[k]) / total;
  });
  // distributions: from year 4 (of 10) on, about every 10-16 weeks
  const distributionWeeks = new Uint8Array(T);
  for (let w = Math.round((T * 3) / 10); w < T; w += 10 + Math.floor(7 * uniform(rng))) {
    distributionWeeks[w] = 1;
  }
  const navWeeks = new Uint8Array(T);
  const quarterEnds: number[] = [];
  for (let i = 1; i < T; i++) {
    if (isQuarterEndWeek(weeks[i])) {
      navWeeks[i] = 1;
      quarterEnds.push(i);
    }
  }
  const secondaryWeeks = new Uint8Array(T);
  for (let k = 0; k < (o.secondaryCount ?? 0) && quarterEnds.length > 0; k++) {
    secondaryWeeks[quarterEnds[Math.floor(uniform(rng) * quarterEnds.length)]] = 1;
  }
  return {
    name: o.name ?? `simulated-${o.seed}`,
    weeks,
    contributions,
    distributionWeeks,
    navWeeks,
    secondaryWeeks,
    market: simulateMarket(rng, T),
    alphaC: 0.0002 + 0.0004 * normal(rng),
    betaCM: 0.9 + 0.3 * uniform(rng),
    garch: { omega: 4e-4 * 0.05, a: 0.08, b: 0.87 },
  };
}

/** Weekly market log returns: GARCH(1,1) volatility around an 8% annual drift. */
function simulateMarket(rng: RngState, T: number): Float64Array {
  const m = new Float64Array(T);
  const omega = 4.5e-4 * 0.04;
  const a = 0.1;
  const b = 0.86;
  let h = omega / (1 - a - b);
  let u = 0;
  for (let i = 0; i < T; i++) {
    if (i > 0) h = omega + a * u * u + b * h;
    u = Math.sqrt(h) * normal(rng);
    m[i] = 0.0015 + u;
  }
  return m;
}
