import type { PosteriorModel } from "./model.js";

/** blr (posteriordb sblri): Bayesian linear regression. q = [beta[1..D], log sigma]. */
export function createPotential(data: {
  N: number;
  D: number;
  X: number[][];
  y: number[];
}): PosteriorModel {
  const { N, D } = data;
  const X = new Float64Array(N * D);
  for (let n = 0; n < N; n++) for (let d = 0; d < D; d++) X[n * D + d] = data.X[n][d];
  const y = Float64Array.from(data.y);
  return {
    dim: D + 1,
    names: [...Array.from({ length: D }, (_, d) => `beta[${d + 1}]`), "sigma"],
    logDensityGradient(q, g) {
      const u = q[D];
      const sigma = Math.exp(u);
      const is2 = 1 / (sigma * sigma);
      let lp = 0;
      for (let d = 0; d < D; d++) {
        lp += (-0.5 * q[d] * q[d]) / 100;
        g[d] = -q[d] / 100;
      }
      let ss = 0;
      for (let n = 0; n < N; n++) {
        let m = 0;
        for (let d = 0; d < D; d++) m += X[n * D + d] * q[d];
        const r = y[n] - m;
        ss += r * r;
        for (let d = 0; d < D; d++) g[d] += r * is2 * X[n * D + d];
      }
      lp += (-0.5 * sigma * sigma) / 100 - N * u - 0.5 * ss * is2 + u;
      g[D] = (-sigma / 100) * sigma - N + ss * is2 + 1;
      return lp;
    },
    constrain(q, out) {
      for (let d = 0; d < D; d++) out[d] = q[d];
      out[D] = Math.exp(q[D]);
    },
  };
}
