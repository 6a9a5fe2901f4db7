/**
 * Exact draws from each prior family of MODEL.md section 5, for the simulator and
 * simulation-based calibration.
 */
import type { PriorSpec } from "./priors.js";
import { normal, type RngState, uniform } from "./rng.js";
import { normalCdf, normalQuantile } from "./special.js";

/** One draw from `spec`. */
export function samplePrior(spec: PriorSpec, rng: RngState): number {
  switch (spec.family) {
    case "normal":
      return spec.mu + spec.sigma * normal(rng);
    case "lognormal":
      return Math.exp(spec.mu + spec.sigma * normal(rng));
    case "halfnormal":
      return spec.sigma * Math.abs(normal(rng));
    case "truncnormal": {
      const lo = spec.lower ?? Number.NEGATIVE_INFINITY;
      const hi = spec.upper ?? Number.POSITIVE_INFINITY;
      const a = normalCdf((lo - spec.mu) / spec.sigma);
      const b = normalCdf((hi - spec.mu) / spec.sigma);
      const x = spec.mu + spec.sigma * normalQuantile(a + (b - a) * uniform(rng));
      return Math.min(Math.max(x, lo), hi);
    }
    case "beta": {
      const x = sampleGamma(spec.a, rng);
      const y = sampleGamma(spec.b, rng);
      return x / (x + y);
    }
    case "uniform":
      return spec.lower + (spec.upper - spec.lower) * uniform(rng);
  }
}

/** Gamma(shape, 1) by Marsaglia & Tsang (2000), with the boost for shape < 1. */
export function sampleGamma(shape: number, rng: RngState): number {
  if (shape < 1) return sampleGamma(shape + 1, rng) * uniform(rng) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = uniform(rng);
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}
