import { describe, expect, it } from "vitest";
import {
  dLogSoftplus,
  erfc,
  logGamma,
  logNormalCdf,
  logSoftplus,
  normalCdf,
  normalQuantile,
} from "./special.js";

describe("erfc", () => {
  it("matches published values (Abramowitz & Stegun table 7.1, scipy)", () => {
    expect(erfc(0)).toBe(1);
    expect(erfc(0.5)).toBeCloseTo(0.4795001221869535, 14);
    expect(erfc(1)).toBeCloseTo(0.15729920705028513, 14);
    expect(erfc(2)).toBeCloseTo(0.004677734981047266, 15);
    expect(erfc(3) / 2.209049699858544e-5 - 1).toBeLessThan(1e-12);
    expect(Math.abs(erfc(5) / 1.5374597944280349e-12 - 1)).toBeLessThan(1e-12);
    expect(erfc(-1)).toBeCloseTo(1.8427007929497148, 14);
  });
});

describe("logNormalCdf", () => {
  it("agrees with log(normalCdf) where both are representable and stays finite in the far tail", () => {
    for (const x of [-30, -5, -1.2, 0, 0.7, 3, 8]) {
      expect(logNormalCdf(x)).toBeCloseTo(Math.log(normalCdf(x)), 10);
    }
    // log Phi(-40) = -804.608442013754 (mpmath)
    expect(logNormalCdf(-40)).toBeCloseTo(-804.608442013754, 6);
    expect(Math.abs(logNormalCdf(40))).toBe(0);
  });
});

describe("normalQuantile", () => {
  it("inverts the normal CDF to near double precision", () => {
    for (const p of [1e-12, 1e-4, 0.02, 0.3, 0.5, 0.8, 0.99, 1 - 1e-9]) {
      const x = normalQuantile(p);
      expect(Math.abs(normalCdf(x) - p) / Math.min(p, 1 - p)).toBeLessThan(1e-9);
    }
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
  });
});

describe("logSoftplus", () => {
  it("is finite where softplus underflows and its derivative tends to 1", () => {
    expect(logSoftplus(-800)).toBe(-800);
    expect(dLogSoftplus(-800)).toBe(1);
    expect(logSoftplus(0)).toBeCloseTo(Math.log(Math.LN2), 14);
    const h = 1e-6;
    for (const a of [-40, -29, -3, 0.4, 12, 50]) {
      const fd = (logSoftplus(a + h) - logSoftplus(a - h)) / (2 * h);
      expect(Math.abs(fd - dLogSoftplus(a))).toBeLessThan(1e-7);
    }
  });
});

describe("logGamma", () => {
  it("matches log factorials and Gamma(1/2)", () => {
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(2.5)).toBeCloseTo(Math.log(1.329340388179137), 12);
  });
});
