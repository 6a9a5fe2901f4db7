import { cauchyDlp, cauchyLp, type PosteriorModel } from "./model.js";

/** eight_schools_centered (posteriordb): the funnel. q = [theta[1..J], mu, log tau]. */
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
      let lp = (-0.5 * mu * mu) / 25 - J * u;
      let gmu = -mu / 25;
      let gtau = -J / tau;
      for (let j = 0; j < J; j++) {
        const d = q[j] - mu;
        const s = data.sigma[j];
        const r = (data.y[j] - q[j]) / s;
        lp += (-0.5 * d * d) / (tau * tau) - 0.5 * r * r;
        g[j] = -d / (tau * tau) + r / s;
        gmu += d / (tau * tau);
        gtau += (d * d) / (tau * tau * tau);
      }

      lp += cauchyLp(tau, 5) + u;
      g[J] = gmu;
      g[J + 1] = (gtau + cauchyDlp(tau, 5)) * tau + 1;
      return lp;
    },
    constrain(q, out) {
      for (let j = 0; j < J; j++) out[j] = q[j];
      out[J] = q[J];
      out[J + 1] = Math.exp(q[J + 1]);
    },
  };
}
