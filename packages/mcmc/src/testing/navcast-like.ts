// A toy with the geometry of the NAVcast posterior (MODEL.md section 11): weekly shocks
// xi_t ~ N(0, 1) drive a log value x_t = sum_{s<=t} (mu + sigma_w xi_s); a NAV reported every
// 13 weeks observes x with noise sigma_n (a parameter, HalfNormal(0.1) prior). Each NAV pins one
// direction spread over all earlier shocks, and its tightness moves with sigma_n (a funnel). It is
// NOT the NAVcast model (that lives in @portal/navcast); it is a stand-in to measure metrics on.
import type { Potential } from "../potential.js";
import { createRng, normal } from "../rng.js";

export interface NavcastLikeData {
  T: number;
  K: number;
  /** 1-based observation weeks. */
  obs_t: number[];
  y: number[];
  sigma_w: number;
}

/** Simulates data with mu = 0.002, sigma_n = `sigmaN`. */
export function simulate(
  seed: number,
  T = 208,
  every = 13,
  sigmaN = 0.01,
  sigmaW = 0.03,
): NavcastLikeData {
  const rng = createRng(seed);
  const obs_t: number[] = [];
  const y: number[] = [];
  let x = 0;
  for (let t = 1; t <= T; t++) {
    x += 0.002 + sigmaW * normal(rng);
    if (t % every === 0) {
      obs_t.push(t);
      y.push(x + sigmaN * normal(rng));
    }
  }
  return { T, K: obs_t.length, obs_t, y, sigma_w: sigmaW };
}

/** q = [xi_1..xi_T, mu, log sigma_n]; hand-written adjoint (suffix sums), linear in T. */
export function createPotential(
  data: NavcastLikeData,
): Potential & { names: string[]; constrain(q: Float64Array, o: Float64Array): void } {
  const { T, K, sigma_w } = data;
  const x = new Float64Array(T + 1);
  const dx = new Float64Array(T + 2);
  return {
    dim: T + 2,
    names: ["mu", "sigma_n", "xi[1]", `xi[${T}]`],
    logDensityGradient(q, g) {
      const mu = q[T];
      const u = q[T + 1];
      const sn = Math.exp(u);
      let lp = 0;
      x[0] = 0;
      for (let t = 1; t <= T; t++) {
        const xi = q[t - 1];
        lp -= 0.5 * xi * xi;
        x[t] = x[t - 1] + mu + sigma_w * xi;
      }
      dx.fill(0);
      let ss = 0;
      for (let k = 0; k < K; k++) {
        const t = data.obs_t[k];
        const r = data.y[k] - x[t];
        ss += r * r;
        dx[t] += r / (sn * sn);
      }
      // suffix sums: dL/dxi_s = sigma_w sum_{t>=s} dL/dx_t; dL/dmu = sum_t t dL/dx_t
      let acc = 0;
      let gmu = 0;
      for (let t = T; t >= 1; t--) {
        acc += dx[t];
        g[t - 1] = -q[t - 1] + sigma_w * acc;
        gmu += dx[t] * t;
      }
      lp += (-0.5 * mu * mu) / 1e-4 - (0.5 * sn * sn) / 0.01 - K * u - (0.5 * ss) / (sn * sn) + u;
      g[T] = gmu - mu / 1e-4;
      g[T + 1] = -(sn * sn) / 0.01 - K + ss / (sn * sn) + 1;
      return lp;
    },
    constrain(q, o) {
      o[0] = q[T];
      o[1] = Math.exp(q[T + 1]);
      o[2] = q[0];
      o[3] = q[T - 1];
    },
  };
}

/** The same model in Stan 2.21 syntax. */
export const STAN_CODE = `
data { int<lower=1> T; int<lower=1> K; int obs_t[K]; vector[K] y; real<lower=0> sigma_w; }
parameters { vector[T] xi; real mu; real<lower=0> sigma_n; }
model {
  vector[T] x = cumulative_sum(mu + sigma_w * xi);
  xi ~ normal(0, 1);
  mu ~ normal(0, 0.01);
  sigma_n ~ normal(0, 0.1);
  y ~ normal(x[obs_t], sigma_n);
}
`;
