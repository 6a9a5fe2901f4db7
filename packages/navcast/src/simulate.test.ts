import { describe, expect, it } from "vitest";
import { createRng } from "./rng.js";
import { drawParams, sampleTruncNormalNav, simulateFund } from "./simulate.js";
import { generateSkeleton } from "./skeleton.js";

const P = {
  alpha: 0.001,
  beta: 1.1,
  F: 1,
  rho: 0.5,
  lambda: 0.6,
  sigma_n: 0.05,
  log_delta: Math.log(0.1),
  sigma_d: 0.3,
  sigma_s: 0.1,
};

describe("generateSkeleton", () => {
  it("lays out a 10-year buyout fund: calls in years 1-5, distributions in 4-10, quarterly NAVs", () => {
    const sk = generateSkeleton({ seed: 3 });
    expect(sk.weeks).toHaveLength(520);
    const calls = [...sk.contributions.keys()].filter((i) => sk.contributions[i] > 0);
    expect(calls[0]).toBe(0);
    expect(Math.max(...calls)).toBeLessThan(5 * 52);
    expect(sk.contributions.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 9);
    const dists = [...sk.distributionWeeks.keys()].filter((i) => sk.distributionWeeks[i]);
    expect(Math.min(...dists)).toBeGreaterThanOrEqual(3 * 52);
    expect(dists.length).toBeGreaterThan(15);
    const navs = sk.navWeeks.reduce((a, b) => a + b, 0);
    expect(navs).toBeGreaterThanOrEqual(39);
    expect(navs).toBeLessThanOrEqual(41);
  });
  it("is a pure function of its seed", () => {
    expect(generateSkeleton({ seed: 4 })).toEqual(generateSkeleton({ seed: 4 }));
    expect(generateSkeleton({ seed: 4 }).market).not.toEqual(generateSkeleton({ seed: 5 }).market);
  });
});

describe("simulateFund", () => {
  it("produces a positive value path whose NAVs track it with relative noise sigma_n", () => {
    const sk = generateSkeleton({ seed: 1, secondaryCount: 3 });
    const f = simulateFund(sk, P, { seed: 2 });
    const V = f.truth?.V ?? new Float64Array(0);
    expect(V.every((v) => v > 0)).toBe(true);
    const navIdx = [...f.navGp.keys()].filter((i) => !Number.isNaN(f.navGp[i]));
    expect(navIdx.length).toBeGreaterThan(30);
    // NAV log error about the lagged, smoothed value: mostly within a few sigma_n plus smoothing
    const errs = navIdx.map((i) => Math.log(f.navGp[i] / V[i]));
    const med = errs.map(Math.abs).sort((a, b) => a - b)[Math.floor(errs.length / 2)];
    expect(med).toBeLessThan(0.2);
    expect(f.distributions.filter((d) => d > 0).length).toBeGreaterThan(15);
    expect(f.secondary.filter((s) => !Number.isNaN(s)).length).toBeGreaterThan(0);
  });

  it("gives the comparable a residual with conditional variance h_t (standardised var near 1)", () => {
    const sk = generateSkeleton({ seed: 6 });
    const f = simulateFund(sk, P, { seed: 7 });
    const h = f.truth?.h ?? new Float64Array(0);
    let s2 = 0;
    for (let i = 0; i < 520; i++) {
      const u = f.comparable[i] - sk.alphaC - sk.betaCM * sk.market[i];
      s2 += (u * u) / h[i];
    }
    // var of chi^2_1 mean over 520 is 2/520: 4 sd is 0.25
    expect(Math.abs(s2 / 520 - 1)).toBeLessThan(0.25);
  });
});

describe("sampleTruncNormalNav", () => {
  it("never returns a non-positive NAV and is the median B at u = 1/2 for small sigma_n", () => {
    expect(sampleTruncNormalNav(100, 0.05, 0.5)).toBeCloseTo(100, 8);
    expect(sampleTruncNormalNav(100, 3, 1e-9)).toBeGreaterThan(0);
  });
});

describe("drawParams", () => {
  it("draws every section-5 parameter inside its support", () => {
    const r = createRng(1);
    for (let k = 0; k < 200; k++) {
      const p = drawParams(r);
      expect(p.F).toBeGreaterThan(0);
      expect(Math.abs(p.rho)).toBeLessThan(1);
      expect(p.lambda).toBeGreaterThan(0);
      expect(p.lambda).toBeLessThan(1);
      expect(p.sigma_n).toBeGreaterThan(0);
    }
  });
});
