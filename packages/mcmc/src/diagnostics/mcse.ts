import { betaQuantile } from "./beta-quantile.js";
import { type ChainDraws, isDegenerate, mapDraws, pooled } from "./draws-matrix.js";
import { essMean, essQuantile } from "./ess.js";

function meanSd(v: Float64Array): { mean: number; sd: number } {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  const mean = s / v.length;
  let ss = 0;
  for (let i = 0; i < v.length; i++) ss += (v[i] - mean) ** 2;
  return { mean, sd: Math.sqrt(ss / (v.length - 1)) };
}

/** Monte Carlo standard error of the mean: sd / sqrt(ess_mean) (posterior::mcse_mean). */
export function mcseMean(x: ChainDraws): number {
  if (isDegenerate(x)) return Number.NaN;
  return meanSd(pooled(x)).sd / Math.sqrt(essMean(x));
}

/**
 * Monte Carlo standard error of the standard deviation (posterior::mcse_sd, delta method):
 * Var(s²) ≈ (E[(x-μ)^4] - E[(x-μ)²]²) / ess((x-μ)²), and d sqrt(v) = dv / (2 sqrt(v)).
 */
export function mcseSd(x: ChainDraws): number {
  if (isDegenerate(x)) return Number.NaN;
  const all = pooled(x);
  const { mean } = meanSd(all);
  const sq = mapDraws(x, (v) => (v - mean) ** 2);
  const ess = essMean(sq);
  let e2 = 0;
  let e4 = 0;
  for (let i = 0; i < all.length; i++) {
    const d2 = (all[i] - mean) ** 2;
    e2 += d2;
    e4 += d2 * d2;
  }
  e2 /= all.length;
  e4 /= all.length;
  const varVar = (e4 - e2 * e2) / ess;
  return Math.sqrt(varVar / e2 / 4);
}

/**
 * Monte Carlo standard error of the p-quantile (posterior::mcse_quantile; Vehtari et al. 2021,
 * sec. 4.3): half the width of the ±1 sd interval of the Beta(ess p + 1, ess (1-p) + 1) posterior
 * of the quantile's rank, read off the sorted draws.
 */
export function mcseQuantile(x: ChainDraws, p: number): number {
  if (isDegenerate(x)) return Number.NaN;
  const ess = essQuantile(x, p);
  const a = ess * p + 1;
  const b = ess * (1 - p) + 1;
  const lo = betaQuantile(0.1586553, a, b);
  const hi = betaQuantile(0.8413447, a, b);
  const s = pooled(x).sort();
  const n = s.length;
  const th1 = s[Math.max(Math.floor(lo * n), 1) - 1];
  const th2 = s[Math.min(Math.ceil(hi * n), n) - 1];
  return (th2 - th1) / 2;
}
