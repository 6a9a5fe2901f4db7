import { describe, expect, it } from "vitest";
import { simulateFund } from "./simulate.js";
import { generateSkeleton } from "./skeleton.js";
import { windowEnds } from "./window-schedule.js";

const P = {
  alpha: 0,
  beta: 1,
  F: 1,
  rho: 0.5,
  lambda: 0.5,
  sigma_n: 0.05,
  log_delta: -3,
  sigma_d: 0.5,
  sigma_s: 0.1,
};

describe("windowEnds", () => {
  it("runs quarterly from the first NAV and always includes the last week", () => {
    const f = simulateFund(generateSkeleton({ seed: 1, years: 2 }), P, { seed: 1 });
    const w = windowEnds(f, "quarterly");
    const firstNav = f.navGp.findIndex((v) => !Number.isNaN(v)) + 1;
    expect(w[0]).toBe(firstNav);
    expect(w[w.length - 1]).toBe(104);
    expect(w.length).toBeGreaterThanOrEqual(8);
    expect(windowEnds(f, "last")).toEqual([104]);
    expect(windowEnds(f, [f.weeks[50], f.weeks[10]])).toEqual([11, 51]);
    expect(() => windowEnds(f, ["1999-01-01"])).toThrow(/not a week/);
  });
});
