import { cauchyDlp, cauchyLp, type PosteriorModel } from "./model.js";

/**
 * arma11 (posteriordb): ARMA(1,1). q = [mu, phi, theta, log sigma]. Hand-written adjoint of the
 * error recursion err[t] = y[t] - mu - phi y[t-1] - theta err[t-1] (one backward sweep).
 */
export function createPotential(data: { T: number; y: number[] }): PosteriorModel {
  const T = data.T;
  const y = Float64Array.from(data.y);
  const err = new Float64Array(T);
  return {
    dim: 4,
    names: ["mu", "phi", "theta", "sigma"],
    logDensityGradient(q, g) {
      const mu = q[0];
      const phi = q[1];
      const theta = q[2];
      const u = q[3];
      const sigma = Math.exp(u);
      err[0] = y[0] - (mu + phi * mu);
      let ss = err[0] * err[0];
      for (let t = 1; t < T; t++) {
        err[t] = y[t] - mu - phi * y[t - 1] - theta * err[t - 1];
        ss += err[t] * err[t];
      }
      const is2 = 1 / (sigma * sigma);
      let gmu = 0;
      let gphi = 0;
      let gtheta = 0;
      let adj = 0; // dL/derr[t+1]
      for (let t = T - 1; t >= 0; t--) {
        const a = -err[t] * is2 - theta * adj;
        if (t >= 1) {
          gmu -= a;
          gphi -= a * y[t - 1];
          gtheta -= a * err[t - 1];
        } else {
          gmu -= a * (1 + phi);
          gphi -= a * mu;
        }
        adj = a;
      }

      const lp =
        (-0.5 * (mu * mu)) / 100 -
        (0.5 * phi * phi) / 4 -
        (0.5 * theta * theta) / 4 -
        T * u -
        0.5 * ss * is2 +
        cauchyLp(sigma, 2.5) +
        u;
      g[0] = gmu - mu / 100;
      g[1] = gphi - phi / 4;
      g[2] = gtheta - theta / 4;
      g[3] = -T + ss * is2 + cauchyDlp(sigma, 2.5) * sigma + 1;
      return lp;
    },
    constrain(q, out) {
      out[0] = q[0];
      out[1] = q[1];
      out[2] = q[2];
      out[3] = Math.exp(q[3]);
    },
  };
}
