import { describe, expect, it } from "vitest";
import { estimateDelta, pmeNaive } from "./pme.js";

describe("pmeNaive", () => {
  it("compounds flows at the market and floors at zero", () => {
    const C = Float64Array.from([100, 0, 50, 0]);
    const D = Float64Array.from([0, 0, 0, 1000]);
    const m = Float64Array.from([0.5, Math.log(1.1), 0, 0]);
    const p = pmeNaive(C, D, m);
    expect(p[0]).toBe(100); // V_0 = 0, so the first week's return does not apply
    expect(p[1]).toBeCloseTo(110, 10);
    expect(p[2]).toBeCloseTo(160, 10);
    expect(p[3]).toBe(0);
  });
});

describe("estimateDelta", () => {
  it("is exp(mean) and sd of log D_t - log PME_{t-1}", () => {
    const pme = Float64Array.from([100, 100, 100, 100, 100]);
    const D = Float64Array.from([0, 5, 10, 0, 20]);
    const e = estimateDelta(D, pme);
    const xs = [Math.log(0.05), Math.log(0.1), Math.log(0.2)];
    expect(e.deltaHat).toBeCloseTo(Math.exp((xs[0] + xs[1] + xs[2]) / 3), 12);
    expect(e.sigmaDHat).toBeCloseTo(Math.log(2), 12);
    expect(e.defaulted).toBe(false);
  });
  it("defaults to 0.05 and 1.0 with fewer than three distributions", () => {
    expect(estimateDelta(Float64Array.from([0, 5]), Float64Array.from([100, 100]))).toMatchObject({
      deltaHat: 0.05,
      sigmaDHat: 1,
      defaulted: true,
    });
  });
});

describe("rolledForwardNav", () => {
  it("adds the flows after the last NAV and is NaN before any NAV", async () => {
    const { rolledForwardNav } = await import("./pme.js");
    const nav = Float64Array.from([Number.NaN, 100, Number.NaN, Number.NaN]);
    const C = Float64Array.from([50, 0, 10, 0]);
    const D = Float64Array.from([0, 0, 0, 30]);
    expect(rolledForwardNav(nav, C, D, 4)).toBe(80);
    expect(rolledForwardNav(nav, C, D, 2)).toBe(100);
    expect(Number.isNaN(rolledForwardNav(nav, C, D, 1))).toBe(true);
  });
});
