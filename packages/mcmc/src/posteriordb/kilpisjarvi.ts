import type { PosteriorModel } from "./model.js";

/** kilpisjarvi (posteriordb): linear trend on year; flat prior on sigma. q = [alpha, beta, log sigma]. */
export function createPotential(data: {
  N: number;
  x: number[];
  y: number[];
  pmualpha: number;
  psalpha: number;
  pmubeta: number;
  psbeta: number;
}): PosteriorModel {
  const N = data.N;
  const x = Float64Array.from(data.x);
  const y = Float64Array.from(data.y);
  const { pmualpha, psalpha, pmubeta, psbeta } = data;
  return {
    dim: 3,
    names: ["alpha", "beta", "sigma"],
    logDensityGradient(q, g) {
      const a = q[0];
      const b = q[1];
      const u = q[2];
      const sigma = Math.exp(u);
      const is2 = 1 / (sigma * sigma);
      let ss = 0;
      let ga = 0;
      let gb = 0;
      for (let n = 0; n < N; n++) {
        const r = y[n] - a - b * x[n];
        ss += r * r;
        ga += r;
        gb += r * x[n];
      }
      const za = (a - pmualpha) / psalpha;
      const zb = (b - pmubeta) / psbeta;
      g[0] = ga * is2 - za / psalpha;
      g[1] = gb * is2 - zb / psbeta;
      g[2] = -N + ss * is2 + 1;
      return -0.5 * za * za - 0.5 * zb * zb - N * u - 0.5 * ss * is2 + u;
    },
    constrain(q, out) {
      out[0] = q[0];
      out[1] = q[1];
      out[2] = Math.exp(q[2]);
    },
  };
}
