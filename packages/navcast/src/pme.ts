/**
 * PME-naive NAV (MODEL.md section 4): the fund's cash flows compounded at the market,
 * PME_t = max(0, PME_{t-1} exp(m_t) + C_t - D_t), PME_0 = 0, and the delta / sigma_d estimates
 * built on it.
 */

/** PME-naive NAV per week. */
export function pmeNaive(C: Float64Array, D: Float64Array, m: Float64Array): Float64Array {
  const out = new Float64Array(C.length);
  let v = 0;
  for (let t = 0; t < C.length; t++) {
    v = Math.max(0, v * Math.exp(m[t]) + C[t] - D[t]);
    out[t] = v;
  }
  return out;
}

/** delta_hat, sigma_d_hat and how many distributions they rest on. */
export interface DeltaEstimate {
  deltaHat: number;
  sigmaDHat: number;
  n: number;
  defaulted: boolean;
}

/**
 * Mean and sd of log D_t - log PME_{t-1} over weeks t >= 2 with D_t > 0 and PME_{t-1} > 0;
 * delta_hat is exp of the mean (the prior of log_delta is centred on log delta_hat). Defaults
 * 0.05 and 1.0 with fewer than 3 such weeks.
 */
export function estimateDelta(D: Float64Array, pme: Float64Array): DeltaEstimate {
  const xs: number[] = [];
  for (let t = 1; t < D.length; t++) {
    if (D[t] > 0 && pme[t - 1] > 0) xs.push(Math.log(D[t]) - Math.log(pme[t - 1]));
  }
  if (xs.length < 3) return { deltaHat: 0.05, sigmaDHat: 1, n: xs.length, defaulted: true };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { deltaHat: Math.exp(mean), sigmaDHat: Math.sqrt(v), n: xs.length, defaulted: false };
}

/**
 * The last GP NAV at or before week tau (1-based) rolled forward with the cash flows since
 * (NAV + contributions - distributions after its week, floored at 0): the naive baseline of the
 * nowcast accuracy study (MODEL.md section 9). NaN when no NAV has been reported by tau.
 */
export function rolledForwardNav(
  nav: Float64Array,
  C: Float64Array,
  D: Float64Array,
  tau: number,
): number {
  let last = -1;
  for (let i = tau - 1; i >= 0; i--) {
    if (!Number.isNaN(nav[i])) {
      last = i;
      break;
    }
  }
  if (last < 0) return Number.NaN;
  let v = nav[last];
  for (let i = last + 1; i < tau; i++) v = Math.max(0, v + C[i] - D[i]);
  return v;
}
