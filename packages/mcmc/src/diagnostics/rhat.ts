import { type ChainDraws, isDegenerate, mapDraws, pooled, splitChains } from "./draws-matrix.js";
import { quantile } from "./quantile.js";
import { zScale } from "./rank-normalize.js";

/** Potential scale reduction of chains as given (posterior's rhat_basic without splitting). */
export function rhatRaw(x: ChainDraws): number {
  const m = x.length;
  const n = x[0].length;
  if (m < 2 || n < 2) return Number.NaN;
  const means = new Float64Array(m);
  let w = 0;
  for (let c = 0; c < m; c++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[c][i];
    const mu = s / n;
    means[c] = mu;
    let v = 0;
    for (let i = 0; i < n; i++) v += (x[c][i] - mu) ** 2;
    w += v / (n - 1);
  }
  w /= m;
  let mm = 0;
  for (let c = 0; c < m; c++) mm += means[c];
  mm /= m;
  let b = 0;
  for (let c = 0; c < m; c++) b += (means[c] - mm) ** 2;
  b = (n * b) / (m - 1);
  return Math.sqrt((b / w + n - 1) / n);
}

/**
 * Rank-normalised split R-hat (Vehtari et al. 2021, sec. 4.2; posterior::rhat): the larger of the
 * split R-hat of the rank-normalised draws (bulk) and of the rank-normalised folded draws
 * |x - median| (tails). NaN for constant or non-finite draws.
 */
export function rhat(x: ChainDraws): number {
  if (isDegenerate(x)) return Number.NaN;
  const bulk = rhatRaw(zScale(splitChains(x)));
  const med = quantile(pooled(x), 0.5);
  const tail = rhatRaw(zScale(splitChains(mapDraws(x, (v) => Math.abs(v - med)))));
  return Math.max(bulk, tail);
}
