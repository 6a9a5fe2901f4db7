/**
 * The data one window of the model sees (MODEL.md section 1), after the fund processor: weekly
 * arrays over t = 1..T (index 0 is week 1, the week of the first contribution), NaN where missing.
 */
export interface ModelData {
  /** Contributions C_t >= 0. */
  readonly contributions: Float64Array;
  /** Distributions D_t >= 0. */
  readonly distributions: Float64Array;
  /** GP-reported NAV N_t > 0, or NaN. */
  readonly navGp: Float64Array;
  /** Secondary / third-party price S_t > 0, or NaN. */
  readonly secondary: Float64Array;
  /** Market log return m_t. */
  readonly market: Float64Array;
  /** Comparable log return y_t, or NaN. */
  readonly comparable: Float64Array;
  /** Conditional variance h_t > 0 of the comparable's residual. */
  readonly h: Float64Array;
  /** Category-1 estimates (MODEL.md section 4). */
  readonly alphaC: number;
  readonly betaCM: number;
  /** Standard errors of alphaC and betaCM (used when category1 is "prior"). */
  readonly alphaCSe: number;
  readonly betaCMSe: number;
  readonly deltaHat: number;
  readonly sigmaDHat: number;
}

/** Number of weeks T. */
export function weeksOf(d: ModelData): number {
  return d.contributions.length;
}

/** The first `tau` weeks of `d` (a window of an expanding-window run). */
export function truncateData(d: ModelData, tau: number): ModelData {
  return {
    ...d,
    contributions: d.contributions.subarray(0, tau),
    distributions: d.distributions.subarray(0, tau),
    navGp: d.navGp.subarray(0, tau),
    secondary: d.secondary.subarray(0, tau),
    market: d.market.subarray(0, tau),
    comparable: d.comparable.subarray(0, tau),
    h: d.h.subarray(0, tau),
  };
}
