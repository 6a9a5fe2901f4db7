import { type ChainDraws, isDegenerate, mapDraws, pooled, splitChains } from "./draws-matrix.js";
import { quantile } from "./quantile.js";
import { zScale } from "./rank-normalize.js";

/**
 * Effective sample size of chains as given (posterior's .ess; Vehtari et al. 2021, sec. 3.2 and
 * appendix; Geyer 1992): autocovariances with divisor n, combined across chains with the
 * between-chain variance, Geyer's initial positive and monotone sequences, and the antithetic
 * correction tau >= 1 / log10(S). NaN when there are fewer than 3 draws per chain or the draws
 * are constant or not finite.
 */
export function essRaw(x: ChainDraws): number {
  const m = x.length;
  if (m < 1) return Number.NaN;
  const n = x[0].length;
  if (n < 3 || isDegenerate(x)) return Number.NaN;
  const means = new Float64Array(m);
  for (let c = 0; c < m; c++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[c][i];
    means[c] = s / n;
  }
  // autocovariance at lag t averaged over chains, divisor n ("biased", Geyer 1992)
  const acov = (t: number): number => {
    let tot = 0;
    for (let c = 0; c < m; c++) {
      const xc = x[c];
      const mu = means[c];
      let s = 0;
      for (let i = 0; i + t < n; i++) s += (xc[i] - mu) * (xc[i + t] - mu);
      tot += s / n;
    }
    return tot / m;
  };
  const acov0 = acov(0);
  const meanVar = (acov0 * n) / (n - 1);
  let varPlus = (meanVar * (n - 1)) / n;
  if (m > 1) {
    let mm = 0;
    for (let c = 0; c < m; c++) mm += means[c];
    mm /= m;
    let v = 0;
    for (let c = 0; c < m; c++) v += (means[c] - mm) ** 2;
    varPlus += v / (m - 1);
  }
  const rho = new Float64Array(n);
  const rhoAt = (t: number): number => 1 - (meanVar - acov(t)) / varPlus;
  let t = 0;
  let rhoEven = 1;
  rho[0] = rhoEven;
  let rhoOdd = rhoAt(1);
  rho[1] = rhoOdd;
  while (t < n - 5 && !Number.isNaN(rhoEven + rhoOdd) && rhoEven + rhoOdd > 0) {
    t += 2;
    rhoEven = rhoAt(t);
    rhoOdd = rhoAt(t + 1);
    if (rhoEven + rhoOdd >= 0) {
      rho[t] = rhoEven;
      rho[t + 1] = rhoOdd;
    }
  }
  const maxT = t;
  if (rhoEven > 0) rho[maxT] = rhoEven;
  // initial monotone sequence
  t = 0;
  while (t <= maxT - 4) {
    t += 2;
    if (rho[t] + rho[t + 1] > rho[t - 2] + rho[t - 1]) {
      rho[t] = (rho[t - 2] + rho[t - 1]) / 2;
      rho[t + 1] = rho[t];
    }
  }
  const s = m * n;
  let sum = 0;
  for (let k = 0; k < maxT; k++) sum += rho[k];
  let tau = -1 + 2 * sum + rho[maxT];
  tau = Math.max(tau, 1 / Math.log10(s));
  return s / tau;
}

/** Split-chain ESS of the raw draws (posterior::ess_basic / ess_mean): the ESS for the mean. */
export function essMean(x: ChainDraws): number {
  return essRaw(splitChains(x));
}

/** Bulk ESS: split-chain ESS of the rank-normalised draws (posterior::ess_bulk). */
export function essBulk(x: ChainDraws): number {
  if (isDegenerate(x)) return Number.NaN;
  return essRaw(zScale(splitChains(x)));
}

/** ESS of the indicator I(x <= q_p), q_p the type-7 quantile of the pooled draws (posterior::ess_quantile). */
export function essQuantile(x: ChainDraws, p: number): number {
  if (isDegenerate(x)) return Number.NaN;
  const q = quantile(pooled(x), p);
  return essRaw(splitChains(mapDraws(x, (v) => (v <= q ? 1 : 0))));
}

/** Tail ESS: the smaller of the ESS of the 5% and 95% quantiles (posterior::ess_tail). */
export function essTail(x: ChainDraws): number {
  return Math.min(essQuantile(x, 0.05), essQuantile(x, 0.95));
}
