import type { Potential } from "@portal/mcmc";

// A model module for sampleOnWorkers: y_i ~ N(mu, 1) with a flat prior on mu.
export function createPotential(data: { y: number[] }): Potential {
  const y = Float64Array.from(data.y);
  return {
    dim: 1,
    logDensityGradient(q, grad) {
      let lp = 0;
      grad[0] = 0;
      for (const yi of y) {
        lp -= 0.5 * (yi - q[0]) ** 2;
        grad[0] += yi - q[0];
      }
      return lp;
    },
  };
}
