import { cauchyDlp, cauchyLp, type PosteriorModel } from "./model.js";

/** arK (posteriordb): AR(K). q = [alpha, beta[1..K], log sigma]. */
export function createPotential(data: { K: number; T: number; y: number[] }): PosteriorModel {
  const { K, T } = data;
  const y = Float64Array.from(data.y);
  const names = ["alpha", ...Array.from({ length: K }, (_, k) => `beta[${k + 1}]`), "sigma"];
  return {
    dim: K + 2,
    names,
    logDensityGradient(q, g) {
      const alpha = q[0];
      const u = q[K + 1];
      const sigma = Math.exp(u);
      let lp = (-0.5 * (alpha * alpha)) / 100;
      g[0] = -alpha / 100;
      for (let k = 1; k <= K; k++) {
        lp += (-0.5 * q[k] * q[k]) / 100;
        g[k] = -q[k] / 100;
      }
      let ss = 0;
      for (let t = K; t < T; t++) {
        let mu = alpha;
        for (let k = 1; k <= K; k++) mu += q[k] * y[t - k];
        const r = (y[t] - mu) / sigma;
        ss += r * r;
        const w = r / sigma;
        g[0] += w;
        for (let k = 1; k <= K; k++) g[k] += w * y[t - k];
      }
      const n = T - K;

      lp += -n * u - 0.5 * ss + cauchyLp(sigma, 2.5) + u;
      g[K + 1] = -n + ss + cauchyDlp(sigma, 2.5) * sigma + 1;
      return lp;
    },
    constrain(q, out) {
      for (let k = 0; k <= K; k++) out[k] = q[k];
      out[K + 1] = Math.exp(q[K + 1]);
    },
  };
}
