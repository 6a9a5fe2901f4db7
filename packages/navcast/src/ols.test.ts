import { describe, expect, it } from "vitest";
import { fitOls } from "./ols.js";

describe("fitOls", () => {
  it("matches a hand-computed regression with standard errors", () => {
    // y = 1 + 2 m + e with e = (0.1, -0.1, 0.1, -0.1, 0); m = 0..4, one y missing
    const m = Float64Array.from([0, 1, 2, 3, 4, 5]);
    const y = Float64Array.from([1.1, 2.9, 5.1, 6.9, 9, Number.NaN]);
    const f = fitOls(y, m);
    expect(f).not.toBeNull();
    if (!f) return;
    // sxx = 10, sxy = 19.8: beta = 1.98, alpha = 5 - 2 * 1.98 = 1.04
    expect(f.betaCM).toBeCloseTo(1.98, 12);
    expect(f.alphaC).toBeCloseTo(1.04, 12);
    // residuals 0.06, -0.12, 0.1, -0.08, 0.04: rss = 0.036 on 3 df
    const s2 = 0.036 / 3;
    expect(f.betaCMSe).toBeCloseTo(Math.sqrt(s2 / 10), 12);
    expect(f.alphaCSe).toBeCloseTo(Math.sqrt(s2 * (1 / 5 + 4 / 10)), 12);
    expect(Number.isNaN(f.residuals[5])).toBe(true);
  });
  it("returns null with fewer than three observations", () => {
    expect(fitOls(Float64Array.from([1, 2]), Float64Array.from([0, 1]))).toBeNull();
  });
});
