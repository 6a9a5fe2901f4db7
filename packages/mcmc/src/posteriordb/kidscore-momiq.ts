import { cauchyDlp, cauchyLp, type PosteriorModel } from "./model.js";

/** kidscore_momiq (posteriordb kidiq): flat prior on beta. q = [beta[1], beta[2], log sigma]. */
export function createPotential(data: {
  N: number;
  kid_score: number[];
  mom_iq: number[];
}): PosteriorModel {
  const N = data.N;
  const yk = Float64Array.from(data.kid_score);
  const x = Float64Array.from(data.mom_iq);
  return {
    dim: 3,
    names: ["beta[1]", "beta[2]", "sigma"],
    logDensityGradient(q, g) {
      const b1 = q[0];
      const b2 = q[1];
      const u = q[2];
      const sigma = Math.exp(u);
      const is2 = 1 / (sigma * sigma);
      let ss = 0;
      let g1 = 0;
      let g2 = 0;
      for (let n = 0; n < N; n++) {
        const r = yk[n] - b1 - b2 * x[n];
        ss += r * r;
        g1 += r;
        g2 += r * x[n];
      }

      g[0] = g1 * is2;
      g[1] = g2 * is2;
      g[2] = -N + ss * is2 + cauchyDlp(sigma, 2.5) * sigma + 1;
      return -N * u - 0.5 * ss * is2 + cauchyLp(sigma, 2.5) + u;
    },
    constrain(q, out) {
      out[0] = q[0];
      out[1] = q[1];
      out[2] = Math.exp(q[2]);
    },
  };
}
