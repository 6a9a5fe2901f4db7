import { describe, expect, it } from "vitest";
import { ConfigError } from "./errors.js";
import { compilePrior, constrain, type PriorSpec, type Support, unconstrain } from "./priors.js";

const REAL: Support = { lower: -Infinity, upper: Infinity };
const POS: Support = { lower: 0, upper: Infinity };

const cases: [PriorSpec, Support][] = [
  [{ family: "normal", mu: 0.3, sigma: 0.5 }, REAL],
  [{ family: "lognormal", mu: 0, sigma: 0.5 }, POS],
  [{ family: "halfnormal", sigma: 0.1 }, POS],
  [{ family: "truncnormal", mu: 0.2, sigma: 0.3, lower: 0, upper: 0.5 }, POS],
  [{ family: "truncnormal", mu: -1, sigma: 2, lower: 0.1 }, POS],
  [{ family: "truncnormal", mu: 1, sigma: 2, upper: 3 }, REAL],
  [
    { family: "beta", a: 2, b: 3 },
    { lower: 0, upper: 1 },
  ],
  [
    { family: "uniform", lower: -1, upper: 1 },
    { lower: -1, upper: 1 },
  ],
  [
    { family: "uniform", lower: 0.2, upper: 0.9 },
    { lower: 0, upper: 1 },
  ],
];

describe("compilePrior", () => {
  it.each(cases)(
    "%o integrates to one on the unconstrained line, with its log-Jacobian",
    (spec, ps) => {
      const p = compilePrior("x", spec, ps);
      const t = new Float64Array(4);
      const d = new Float64Array(2);
      // trapezoid over u in [-40, 40]: the pushed-forward density must integrate to 1
      let total = 0;
      const h = 0.001;
      for (let u = -40; u <= 40; u += h) {
        constrain(p.transform, p.support, u, t);
        if (!(t[0] > p.support.lower && t[0] < p.support.upper)) continue;
        p.logDensity(t[0], d);
        total += Math.exp(d[0] + t[2]) * h;
      }
      expect(Math.abs(total - 1)).toBeLessThan(2e-4);
    },
  );

  it.each(cases)("%o has derivatives equal to central differences", (spec, ps) => {
    const p = compilePrior("x", spec, ps);
    const t = new Float64Array(4);
    const t2 = new Float64Array(4);
    const d = new Float64Array(2);
    const d2 = new Float64Array(2);
    for (const u of [-1.3, 0.2, 0.9]) {
      constrain(p.transform, p.support, u, t);
      expect(unconstrain(p.transform, p.support, t[0])).toBeCloseTo(u, 10);
      const h = 1e-6;
      constrain(p.transform, p.support, u + h, t2);
      const up = t2[0];
      const ljp = t2[2];
      constrain(p.transform, p.support, u - h, t2);
      expect((up - t2[0]) / (2 * h)).toBeCloseTo(t[1], 7);
      expect((ljp - t2[2]) / (2 * h)).toBeCloseTo(t[3], 7);
      const x = t[0];
      const hx = 1e-6 * Math.max(1e-3, Math.abs(x));
      p.logDensity(x, d);
      p.logDensity(x + hx, d2);
      const a = d2[0];
      p.logDensity(x - hx, d2);
      expect(Math.abs((a - d2[0]) / (2 * hx) - d[1])).toBeLessThan(1e-5 * (1 + Math.abs(d[1])));
    }
  });

  it("rejects a prior whose support exceeds the parameter's", () => {
    expect(() => compilePrior("F", { family: "normal", mu: 0, sigma: 1 }, POS)).toThrow(
      ConfigError,
    );
    expect(() => compilePrior("F", { family: "halfnormal", sigma: -1 }, POS)).toThrow(/sigma/);
    expect(() => compilePrior("x", { family: "gamma" } as unknown as PriorSpec, REAL)).toThrow(
      /unknown family/,
    );
  });

  it("uses atanh for (-1, 1) and logit for (0, 1) as MODEL.md section 5 prescribes", () => {
    expect(
      compilePrior("rho", { family: "uniform", lower: -1, upper: 1 }, cases[7][1]).transform,
    ).toBe("atanh");
    expect(compilePrior("lambda", { family: "beta", a: 2, b: 2 }, cases[6][1]).transform).toBe(
      "logit",
    );
  });
});
