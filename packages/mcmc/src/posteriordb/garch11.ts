import { logistic, type PosteriorModel } from "./model.js";

/**
 * garch11 (posteriordb). q = [mu, log alpha0, logit alpha1, logit(beta1 / (1 - alpha1))]: beta1
 * has the parameter-dependent upper bound 1 - alpha1. Hand-written adjoint of the variance
 * recursion (one backward sweep, linear in T).
 */
export function createPotential(data: { T: number; y: number[]; sigma1: number }): PosteriorModel {
  const T = data.T;
  const y = Float64Array.from(data.y);
  const s2 = new Float64Array(T);
  return {
    dim: 4,
    names: ["mu", "alpha0", "alpha1", "beta1"],
    logDensityGradient(q, g) {
      const mu = q[0];
      const alpha0 = Math.exp(q[1]);
      const a1 = logistic(q[2]);
      const s3 = logistic(q[3]);
      const beta1 = (1 - a1) * s3;
      s2[0] = data.sigma1 * data.sigma1;
      for (let t = 1; t < T; t++) {
        const e = y[t - 1] - mu;
        s2[t] = alpha0 + a1 * e * e + beta1 * s2[t - 1];
      }
      let lp = 0;
      let gmu = 0;
      let ga0 = 0;
      let ga1 = 0;
      let gb1 = 0;
      let adj = 0; // dL/ds2[t+1] carried backwards
      for (let t = T - 1; t >= 0; t--) {
        const e = y[t] - mu;
        const v = s2[t];
        lp += -0.5 * Math.log(v) - (0.5 * e * e) / v;
        gmu += e / v;
        // total adjoint of s2[t]: its own term plus s2[t+1]'s dependence through beta1
        const a = -0.5 / v + (0.5 * e * e) / (v * v) + adj * beta1;
        if (t >= 1) {
          const ep = y[t - 1] - mu;
          ga0 += a;
          ga1 += a * ep * ep;
          gb1 += a * s2[t - 1];
          gmu += a * a1 * -2 * ep;
        }
        adj = a;
      }
      // log-Jacobian: q1 + log a1(1-a1) + log(1-a1) + log s3(1-s3)
      lp += q[1] + Math.log(a1) + 2 * Math.log1p(-a1) + Math.log(s3) + Math.log1p(-s3);
      g[0] = gmu;
      g[1] = ga0 * alpha0 + 1;
      g[2] = (ga1 - gb1 * s3) * a1 * (1 - a1) + 1 - 3 * a1;
      g[3] = gb1 * (1 - a1) * s3 * (1 - s3) + 1 - 2 * s3;
      return lp;
    },
    constrain(q, out) {
      const a1 = logistic(q[2]);
      out[0] = q[0];
      out[1] = Math.exp(q[1]);
      out[2] = a1;
      out[3] = (1 - a1) * logistic(q[3]);
    },
  };
}
