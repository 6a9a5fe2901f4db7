import { describe, expect, it } from "vitest";
import { checkGradient } from "./gradient-check.js";

describe("checkGradient", () => {
  it("accepts a correct gradient", () => {
    const f = (q: Float64Array, g: Float64Array) => {
      g[0] = -q[0] + Math.cos(q[1]);
      g[1] = -q[0] * Math.sin(q[1]);
      return -0.5 * q[0] * q[0] + q[0] * Math.cos(q[1]);
    };
    const r = checkGradient(f, Float64Array.from([1.2, -0.4]));
    expect(r.maxRelError).toBeLessThan(1e-9);
  });

  it("flags a wrong gradient", () => {
    const f = (q: Float64Array, g: Float64Array) => {
      g[0] = -q[0] * 1.001;
      return -0.5 * q[0] * q[0];
    };
    const r = checkGradient(f, Float64Array.from([2]));
    expect(r.maxRelError).toBeGreaterThan(1e-4);
  });
});
