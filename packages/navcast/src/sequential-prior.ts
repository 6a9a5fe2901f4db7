/**
 * Sequential mode (MODEL.md section 6): a window's posterior draws of one parameter,
 * moment-matched to the family of its prior, become the next window's prior.
 */
import type { PriorSpec } from "./priors.js";

/** The prior of `spec`'s family whose moments match the draws `x`. */
export function momentMatch(spec: PriorSpec, x: ArrayLike<number>): PriorSpec {
  const n = x.length;
  let s = 0;
  let s2 = 0;
  let l = 0;
  let l2 = 0;
  for (let i = 0; i < n; i++) {
    s += x[i];
    s2 += x[i] * x[i];
  }
  const mean = s / n;
  const v = Math.max(s2 / n - mean * mean, 1e-300);
  switch (spec.family) {
    case "normal":
      return { family: "normal", mu: mean, sigma: Math.sqrt(v) };
    case "lognormal": {
      for (let i = 0; i < n; i++) {
        const lx = Math.log(x[i]);
        l += lx;
        l2 += lx * lx;
      }
      const ml = l / n;
      return { family: "lognormal", mu: ml, sigma: Math.sqrt(Math.max(l2 / n - ml * ml, 1e-300)) };
    }
    case "halfnormal":
      // E[x^2] = sigma^2
      return { family: "halfnormal", sigma: Math.sqrt(s2 / n) };
    case "truncnormal":
      // mean and sd of the draws; the bounds stay (an approximation: the truncation shifts moments)
      return { ...spec, mu: mean, sigma: Math.sqrt(v) };
    case "beta": {
      const k = (mean * (1 - mean)) / v - 1;
      return { family: "beta", a: mean * k, b: (1 - mean) * k };
    }
    case "uniform": {
      // mean +- sqrt(3) sd, inside the original bounds
      const h = Math.sqrt(3 * v);
      return {
        family: "uniform",
        lower: Math.max(spec.lower, mean - h),
        upper: Math.min(spec.upper, mean + h),
      };
    }
  }
}
