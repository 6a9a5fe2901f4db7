import { logistic, type PosteriorModel } from "./model.js";

/**
 * low_dim_gauss_mix (posteriordb). q = [mu1, log(mu2 - mu1), log sigma1, log sigma2, logit theta]
 * (Stan's ordered transform).
 */
export function createPotential(data: { N: number; y: number[] }): PosteriorModel {
  const N = data.N;
  const y = Float64Array.from(data.y);
  return {
    dim: 5,
    names: ["mu[1]", "mu[2]", "sigma[1]", "sigma[2]", "theta"],
    logDensityGradient(q, g) {
      const mu1 = q[0];
      const e2 = Math.exp(q[1]);
      const mu2 = mu1 + e2;
      const s1 = Math.exp(q[2]);
      const s2 = Math.exp(q[3]);
      const th = logistic(q[4]);
      const lt = Math.log(th);
      const l1t = Math.log1p(-th);
      const ls1 = q[2];
      const ls2 = q[3];
      let lp = 0;
      let gm1 = 0;
      let gm2 = 0;
      let gs1 = 0;
      let gs2 = 0;
      let gth = 0;
      const i1 = 1 / s1;
      const i2 = 1 / s2;
      for (let n = 0; n < N; n++) {
        const z1 = (y[n] - mu1) * i1;
        const z2 = (y[n] - mu2) * i2;
        const a = lt - ls1 - 0.5 * z1 * z1;
        const b = l1t - ls2 - 0.5 * z2 * z2;
        let w1: number;
        if (a > b) {
          const e = Math.exp(b - a);
          lp += a + Math.log1p(e);
          w1 = 1 / (1 + e);
        } else {
          const e = Math.exp(a - b);
          lp += b + Math.log1p(e);
          w1 = e / (1 + e);
        }
        const w2 = 1 - w1;
        gm1 += w1 * z1 * i1;
        gm2 += w2 * z2 * i2;
        gs1 += w1 * (z1 * z1 - 1);
        gs2 += w2 * (z2 * z2 - 1);
        gth += w1 / th - w2 / (1 - th);
      }
      // priors: sigma ~ N(0, 2), mu ~ N(0, 2), theta ~ beta(5, 5)
      lp += (-(s1 * s1) - s2 * s2 - mu1 * mu1 - mu2 * mu2) / 8 + 4 * lt + 4 * l1t;
      gm1 += -mu1 / 4;
      gm2 += -mu2 / 4;
      gth += 4 / th - 4 / (1 - th);
      // Jacobians: q1 (ordered), q2, q3 (log), log th(1-th)
      lp += q[1] + q[2] + q[3] + lt + l1t;
      g[0] = gm1 + gm2;
      g[1] = gm2 * e2 + 1;
      g[2] = gs1 - (s1 * s1) / 4 + 1;
      g[3] = gs2 - (s2 * s2) / 4 + 1;
      g[4] = gth * th * (1 - th) + 1 - 2 * th;
      return lp;
    },
    constrain(q, out) {
      out[0] = q[0];
      out[1] = q[0] + Math.exp(q[1]);
      out[2] = Math.exp(q[2]);
      out[3] = Math.exp(q[3]);
      out[4] = logistic(q[4]);
    },
  };
}
