/** Streaming mean and (co)variance (Welford 1962), as Stan's welford_var/covar_estimator. */
export interface Welford {
  n: number;
  mean: Float64Array;
  /** Sum of squared deviations: d entries (diagonal) or d*d (dense, row-major). */
  m2: Float64Array;
  dense: boolean;
  /** Scratch for the update. */
  delta: Float64Array;
}

/** Allocates an estimator of dimension `dim`: diagonal variances, or the full covariance when `dense`. */
export function createWelford(dim: number, dense: boolean): Welford {
  return {
    n: 0,
    mean: new Float64Array(dim),
    m2: new Float64Array(dense ? dim * dim : dim),
    dense,
    delta: new Float64Array(dim),
  };
}

/** Forgets all samples. */
export function welfordRestart(w: Welford): void {
  w.n = 0;
  w.mean.fill(0);
  w.m2.fill(0);
}

/** Adds one sample (Welford's update of mean and sum of squared deviations). */
export function welfordAdd(w: Welford, x: Float64Array): void {
  w.n += 1;
  const d = w.mean.length;
  const delta = w.delta;
  for (let i = 0; i < d; i++) {
    delta[i] = x[i] - w.mean[i];
    w.mean[i] += delta[i] / w.n;
  }
  if (w.dense) {
    for (let i = 0; i < d; i++) {
      const di = x[i] - w.mean[i];
      for (let j = 0; j < d; j++) w.m2[i * d + j] += di * delta[j];
    }
  } else {
    for (let i = 0; i < d; i++) w.m2[i] += delta[i] * (x[i] - w.mean[i]);
  }
}

/** Sample (co)variance with denominator n - 1 into `out`. */
export function welfordVariance(w: Welford, out: Float64Array): void {
  const k = 1 / (w.n - 1);
  for (let i = 0; i < w.m2.length; i++) out[i] = w.m2[i] * k;
}
