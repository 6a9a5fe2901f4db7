import { cholesky } from "../metric/cholesky.js";
import type { PosteriorModel } from "./model.js";

/**
 * gp_regr (posteriordb gp_pois_regr): GP regression with K = alpha² exp(-d²/(2 rho²)) + sigma I
 * (the Stan program adds sigma, not sigma², to the diagonal). q = [log rho, log alpha, log sigma].
 * Gradient: d log N(y | 0, K) / dK = (a a' - K^-1) / 2 with a = K^-1 y.
 */
export function createPotential(data: { N: number; x: number[]; y: number[] }): PosteriorModel {
  const N = data.N;
  const x = Float64Array.from(data.x);
  const y = Float64Array.from(data.y);
  const d2 = new Float64Array(N * N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) d2[i * N + j] = (x[i] - x[j]) ** 2;
  const K = new Float64Array(N * N);
  const E = new Float64Array(N * N);
  const L = new Float64Array(N * N);
  const Kinv = new Float64Array(N * N);
  const a = new Float64Array(N);
  const col = new Float64Array(N);
  // solves L L' v = b in place
  const solve = (v: Float64Array): void => {
    for (let i = 0; i < N; i++) {
      let s = v[i];
      for (let k = 0; k < i; k++) s -= L[i * N + k] * v[k];
      v[i] = s / L[i * N + i];
    }
    for (let i = N - 1; i >= 0; i--) {
      let s = v[i];
      for (let k = i + 1; k < N; k++) s -= L[k * N + i] * v[k];
      v[i] = s / L[i * N + i];
    }
  };
  return {
    dim: 3,
    names: ["rho", "alpha", "sigma"],
    logDensityGradient(q, g) {
      const rho = Math.exp(q[0]);
      const al = Math.exp(q[1]);
      const sigma = Math.exp(q[2]);
      const a2 = al * al;
      for (let i = 0; i < N * N; i++) {
        E[i] = Math.exp(-d2[i] / (2 * rho * rho));
        K[i] = a2 * E[i];
      }
      for (let i = 0; i < N; i++) K[i * N + i] += sigma;
      if (!cholesky(K, N, L)) {
        g.fill(0);
        return Number.NEGATIVE_INFINITY;
      }
      a.set(y);
      solve(a);
      let logdet = 0;
      for (let i = 0; i < N; i++) logdet += Math.log(L[i * N + i]);
      let quad = 0;
      for (let i = 0; i < N; i++) quad += y[i] * a[i];
      for (let j = 0; j < N; j++) {
        col.fill(0);
        col[j] = 1;
        solve(col);
        for (let i = 0; i < N; i++) Kinv[i * N + j] = col[i];
      }
      let grho = 0;
      let galpha = 0;
      let gsigma = 0;
      for (let i = 0; i < N; i++) {
        for (let j = 0; j < N; j++) {
          const w = 0.5 * (a[i] * a[j] - Kinv[i * N + j]);
          galpha += w * 2 * al * E[i * N + j];
          grho += (w * a2 * E[i * N + j] * d2[i * N + j]) / (rho * rho * rho);
          if (i === j) gsigma += w;
        }
      }
      // priors: rho ~ gamma(25, 4), alpha ~ N(0, 2), sigma ~ N(0, 1)
      const lp =
        -logdet -
        0.5 * quad +
        24 * Math.log(rho) -
        4 * rho -
        (al * al) / 8 -
        (sigma * sigma) / 2 +
        q[0] +
        q[1] +
        q[2];
      g[0] = (grho + 24 / rho - 4) * rho + 1;
      g[1] = (galpha - al / 4) * al + 1;
      g[2] = (gsigma - sigma) * sigma + 1;
      return lp;
    },
    constrain(q, out) {
      out[0] = Math.exp(q[0]);
      out[1] = Math.exp(q[1]);
      out[2] = Math.exp(q[2]);
    },
  };
}
