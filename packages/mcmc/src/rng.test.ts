import { describe, expect, it } from "vitest";
import { createRng, normal, uniform } from "./rng.js";

describe("createRng", () => {
  it("gives the same stream for the same (seed, stream)", () => {
    const a = createRng(42, 3);
    const b = createRng(42, 3);
    for (let i = 0; i < 100; i++) expect(uniform(a)).toBe(uniform(b));
  });

  it("gives different streams for different chains and seeds", () => {
    const a = createRng(42, 0);
    const b = createRng(42, 1);
    const c = createRng(43, 0);
    const xa = uniform(a);
    expect(xa).not.toBe(uniform(b));
    expect(xa).not.toBe(uniform(c));
  });

  it("rejects a non-integer seed", () => {
    expect(() => createRng(1.5)).toThrow(RangeError);
  });
});

describe("uniform and normal", () => {
  it("have the moments of U(0,1) and N(0,1) within Monte Carlo error", () => {
    const s = createRng(7);
    const n = 200_000;
    let su = 0;
    let sz = 0;
    let sz2 = 0;
    let sz4 = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = uniform(s);
      if (!(u >= 0 && u < 1)) outside++;
      su += u;
      const z = normal(s);
      sz += z;
      sz2 += z * z;
      sz4 += z ** 4;
    }
    expect(outside).toBe(0);
    // sd of the mean of U(0,1) is sqrt(1/12/n); of z: 1/sqrt(n); of z^2: sqrt(2/n); of z^4: sqrt(96/n)
    expect(Math.abs(su / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(sz / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(sz2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(sz4 / n - 3)).toBeLessThan(5 * Math.sqrt(96 / n));
  });
});
