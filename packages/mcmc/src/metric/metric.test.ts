import { describe, expect, it } from "vitest";
import { createRng } from "../rng.js";
import { cholesky } from "./cholesky.js";
import { DenseMetric } from "./dense-metric.js";
import { DiagMetric } from "./diag-metric.js";

describe("cholesky", () => {
  it("factors an SPD matrix and rejects an indefinite one", () => {
    const a = Float64Array.from([4, 2, 2, 3]);
    const l = new Float64Array(4);
    expect(cholesky(a, 2, l)).toBe(true);
    expect(l[0] * l[0]).toBeCloseTo(4, 14);
    expect(l[2] * l[0]).toBeCloseTo(2, 14);
    expect(l[2] * l[2] + l[3] * l[3]).toBeCloseTo(3, 14);
    expect(cholesky(Float64Array.from([1, 2, 2, 1]), 2, l)).toBe(false);
  });
});

describe("metrics", () => {
  it("draw momenta with covariance M = (M^-1)^-1", () => {
    const cov = Float64Array.from([2, 0.9, 0.9, 1]); // M^-1
    const det = 2 - 0.81;
    const mass = [1 / det, -0.9 / det, -0.9 / det, 2 / det];
    const dense = new DenseMetric(2);
    dense.setCov(cov);
    const diag = new DiagMetric(2);
    diag.setInvMass(Float64Array.from([2, 0.5]));
    const rng = createRng(3);
    const p = new Float64Array(2);
    const n = 100_000;
    const s = [0, 0, 0, 0];
    const d = [0, 0];
    for (let i = 0; i < n; i++) {
      dense.sampleMomentum(rng, p);
      s[0] += p[0] * p[0];
      s[1] += p[0] * p[1];
      s[3] += p[1] * p[1];
      diag.sampleMomentum(rng, p);
      d[0] += p[0] * p[0];
      d[1] += p[1] * p[1];
    }
    // sd of a sample second moment is about sqrt(2/n) * scale^2: use 5 sigma
    const tol = (v: number) => 5 * Math.sqrt(2 / n) * Math.abs(v) + 1e-3;
    expect(Math.abs(s[0] / n - mass[0])).toBeLessThan(tol(mass[0]));
    expect(Math.abs(s[1] / n - mass[1])).toBeLessThan(tol(mass[0]));
    expect(Math.abs(s[3] / n - mass[3])).toBeLessThan(tol(mass[3]));
    expect(Math.abs(d[0] / n - 0.5)).toBeLessThan(tol(0.5));
    expect(Math.abs(d[1] / n - 2)).toBeLessThan(tol(2));
    const v = new Float64Array(2);
    dense.velocity(Float64Array.from([1, 1]), v);
    expect([v[0], v[1]]).toEqual([2.9, 1.9]);
  });
});
