import { describe, expect, it } from "vitest";
import { createRng, normal, uniform } from "./rng.js";

describe("createRng", () => {
  it("reproduces a stream from its seed and keys and separates different keys", () => {
    const a = createRng(42, 1, 2);
    const b = createRng(42, 1, 2);
    const c = createRng(42, 1, 3);
    const xa = [uniform(a), uniform(a), uniform(a)];
    expect([uniform(b), uniform(b), uniform(b)]).toEqual(xa);
    expect(uniform(c)).not.toBe(xa[0]);
  });
});

describe("normal", () => {
  it("has mean 0 and variance 1 within Monte Carlo error", () => {
    const s = createRng(7);
    const n = 200_000;
    let m = 0;
    let v = 0;
    let below = 0;
    for (let i = 0; i < n; i++) {
      const x = normal(s);
      m += x;
      v += x * x;
      if (x < -1.6448536269514722) below++;
    }
    m /= n;
    v = v / n - m * m;
    expect(Math.abs(m)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(v - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    const p = below / n;
    expect(Math.abs(p - 0.05)).toBeLessThan(4 * Math.sqrt((0.05 * 0.95) / n));
  });
});
