import { describe, expect, it } from "vitest";
import { createRng } from "../rng.js";
import { LowRankMetric } from "./low-rank-metric.js";

describe("LowRankMetric", () => {
  // d = 3, rank 1: u = (1, 1, 0)/sqrt 2, lambda = 9, s = (1, 2, 0.5)
  const m = new LowRankMetric(3, 2);
  const r = Math.SQRT1_2;
  m.set(Float64Array.from([1, 2, 0.5]), Float64Array.from([r, r, 0]), Float64Array.from([9]), 1);
  // M^-1 = S (I + 8 u u') S
  const inner = [
    [1 + 4, 4, 0],
    [4, 1 + 4, 0],
    [0, 0, 1],
  ];
  const s = [1, 2, 0.5];
  const minv = inner.map((row, i) => row.map((x, j) => s[i] * x * s[j]));

  it("applies M^-1 = S (I + U (Λ - I) U') S", () => {
    const p = Float64Array.from([0.3, -1, 2]);
    const v = new Float64Array(3);
    m.velocity(p, v);
    for (let i = 0; i < 3; i++)
      expect(v[i]).toBeCloseTo(
        minv[i].reduce((a, x, j) => a + x * p[j], 0),
        12,
      );
  });

  it("draws momenta whose covariance M satisfies M^-1 M = I (Monte Carlo)", () => {
    const rng = createRng(5);
    const n = 100_000;
    const c = new Float64Array(9);
    const p = new Float64Array(3);
    for (let k = 0; k < n; k++) {
      m.sampleMomentum(rng, p);
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) c[i * 3 + j] += (p[i] * p[j]) / n;
    }
    // (M^-1 C) should be the identity up to Monte Carlo error of ~sqrt(2/n) relative
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let x = 0;
        for (let k = 0; k < 3; k++) x += minv[i][k] * c[k * 3 + j];
        expect(Math.abs(x - (i === j ? 1 : 0))).toBeLessThan(0.03);
      }
  });
});
