import { describe, expect, it } from "vitest";
import { coverage, rankOf, runCalibration } from "./calibration.js";
import { createRng } from "./rng.js";

describe("runCalibration (CI-sized simulation-based calibration)", () => {
  it("covers the truth at close to the nominal rates on one-year funds from the default priors", async () => {
    // 12 replications x 9 quantities; pooled 90% coverage has binomial sd near 0.03 if
    // independent (they are not quite), so the bounds below are about 4 sd wide
    const res = await runCalibration({
      seed: 17,
      replications: 12,
      years: 1,
      chains: 2,
      warmup: 150,
      draws: 100,
    });
    const cov = coverage(res);
    expect(cov.pooled90).toBeGreaterThan(0.75);
    expect(cov.pooled50).toBeGreaterThan(0.3);
    expect(cov.pooled50).toBeLessThan(0.7);
    expect(Object.keys(cov.per)).toContain("V_tau");
  }, 170_000);
});

describe("rankOf", () => {
  it("counts the draws below the truth, and breaks ties with it uniformly at random", () => {
    const rng = createRng(3, 0x71e);
    expect(rankOf(0.5, [0.1, 0.9, 0.4, 0.6, 0.2], rng)).toBe(3);
    // a point mass at the truth: 99 tied draws, the rank uniform over 0..99
    const point = new Array(99).fill(6.931471805599453e-5);
    const counts = new Array(10).fill(0);
    const n = 20000;
    for (let k = 0; k < n; k++) {
      const r = rankOf(6.931471805599453e-5, point, rng);
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThanOrEqual(99);
      counts[Math.floor(r / 10)]++;
    }
    // each decile of the 100 ranks holds a tenth: within 5 sd of 2000
    for (const c of counts) expect(Math.abs(c - n / 10)).toBeLessThan(5 * Math.sqrt(n * 0.09));
    // ties below and above: 2 below, 3 tied, so 2..5
    const r = new Set(Array.from({ length: 200 }, () => rankOf(1, [0, 0, 1, 1, 1, 2], rng)));
    expect([...r].sort()).toEqual([2, 3, 4, 5]);
  });
});
