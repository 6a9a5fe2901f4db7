import { describe, expect, it } from "vitest";
import { createWelford, welfordAdd, welfordVariance } from "./welford.js";

describe("welford", () => {
  it("matches the two-pass sample covariance", () => {
    const xs = [
      [1, 2],
      [3, 1],
      [0, 5],
      [2, 2],
    ];
    const w = createWelford(2, true);
    const d = createWelford(2, false);
    for (const x of xs) {
      welfordAdd(w, Float64Array.from(x));
      welfordAdd(d, Float64Array.from(x));
    }
    const out = new Float64Array(4);
    welfordVariance(w, out);
    const m = [1.5, 2.5];
    const c = (i: number, j: number) =>
      xs.reduce((s, x) => s + (x[i] - m[i]) * (x[j] - m[j]), 0) / 3;
    expect(out[0]).toBeCloseTo(c(0, 0), 12);
    expect(out[1]).toBeCloseTo(c(0, 1), 12);
    expect(out[2]).toBeCloseTo(c(1, 0), 12);
    expect(out[3]).toBeCloseTo(c(1, 1), 12);
    const v = new Float64Array(2);
    welfordVariance(d, v);
    expect(v[1]).toBeCloseTo(c(1, 1), 12);
  });
});
