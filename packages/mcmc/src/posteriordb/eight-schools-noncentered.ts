import { cauchyDlp, cauchyLp, type PosteriorModel } from "./model.js";

/** eight_schools_noncentered (posteriordb). q = [theta_trans[1..J], mu, log tau]. */
export function createPotential(data: { J: number; y: number[]; sigma: number[] }): PosteriorModel {
  const J = data.J;
  const names = [...Array.from({ length: J }, (_, j) => `theta[${j + 1}]`), "mu", "tau"];
  return {
    dim: J + 2,
    names,
    logDensityGradient(q, g) {
      const mu = q[J];
      const u = q[J + 1];
      const tau = Math.exp(u);
      let lp = (-0.5 * mu * mu) / 25;
      let gmu = -mu / 25;
      let gtau = 0;
      for (let j = 0; j < J; j++) {
        const tt = q[j];
        const s = data.sigma[j];
        const r = (data.y[j] - (mu + tau * tt)) / s;
        lp += -0.5 * tt * tt - 0.5 * r * r;
        g[j] = -tt + (r * tau) / s;
        gmu += r / s;
        gtau += (r * tt) / s;
      }

      lp += cauchyLp(tau, 5) + u;
      g[J] = gmu;
      g[J + 1] = (gtau + cauchyDlp(tau, 5)) * tau + 1;
      return lp;
    },
    constrain(q, out) {
      const tau = Math.exp(q[J + 1]);
      for (let j = 0; j < J; j++) out[j] = q[J] + tau * q[j];
      out[J] = q[J];
      out[J + 1] = tau;
    },
  };
}
