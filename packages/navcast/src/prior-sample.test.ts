import { describe, expect, it } from "vitest";
import { samplePrior } from "./prior-sample.js";
import type { PriorSpec } from "./priors.js";
import { createRng } from "./rng.js";

// [spec, exact mean, exact sd]
const cases: [PriorSpec, number, number][] = [
  [{ family: "normal", mu: 1, sigma: 0.5 }, 1, 0.5],
  [
    { family: "lognormal", mu: 0, sigma: 0.5 },
    Math.exp(0.125),
    Math.sqrt((Math.exp(0.25) - 1) * Math.exp(0.25)),
  ],
  [
    { family: "halfnormal", sigma: 0.1 },
    0.1 * Math.sqrt(2 / Math.PI),
    0.1 * Math.sqrt(1 - 2 / Math.PI),
  ],
  [{ family: "beta", a: 2, b: 2 }, 0.5, Math.sqrt(4 / (16 * 5))],
  [{ family: "beta", a: 0.5, b: 3 }, 0.5 / 3.5, Math.sqrt((0.5 * 3) / (3.5 * 3.5 * 4.5))],
  [{ family: "uniform", lower: -1, upper: 1 }, 0, Math.sqrt(4 / 12)],
  // N(0,1) truncated to (0, inf) is the half-normal
  [
    { family: "truncnormal", mu: 0, sigma: 1, lower: 0 },
    Math.sqrt(2 / Math.PI),
    Math.sqrt(1 - 2 / Math.PI),
  ],
];

describe("samplePrior", () => {
  it.each(cases)(
    "draws %o with the exact mean and sd within Monte Carlo error",
    (spec, mean, sd) => {
      const r = createRng(11);
      const n = 40_000;
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const x = samplePrior(spec, r);
        s += x;
        s2 += x * x;
      }
      const m = s / n;
      const v = s2 / n - m * m;
      expect(Math.abs(m - mean)).toBeLessThan((4 * sd) / Math.sqrt(n));
      // sd of the sample variance is at most about sd^2 * sqrt(kurtosis-ish / n); 5% is > 4 sigma here
      expect(Math.abs(Math.sqrt(v) / sd - 1)).toBeLessThan(0.05);
    },
  );
});
