import { describe, expect, it } from "vitest";
import { minimizeBfgs } from "./bfgs.js";

describe("minimizeBfgs", () => {
  it("finds the Rosenbrock minimum (1, 1) and reports convergence", () => {
    const r = minimizeBfgs(
      (x, g) => {
        const a = 1 - x[0];
        const b = x[1] - x[0] * x[0];
        g[0] = -2 * a - 400 * x[0] * b;
        g[1] = 200 * b;
        return a * a + 100 * b * b;
      },
      Float64Array.from([-1.2, 1]),
    );
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 5);
    expect(r.x[1]).toBeCloseTo(1, 5);
  });

  it("solves an ill-conditioned quadratic exactly", () => {
    const d = [1, 100, 1e4];
    const r = minimizeBfgs((x, g) => {
      let f = 0;
      for (let i = 0; i < 3; i++) {
        f += 0.5 * d[i] * (x[i] - i) ** 2;
        g[i] = d[i] * (x[i] - i);
      }
      return f;
    }, new Float64Array(3));
    expect(r.converged).toBe(true);
    for (let i = 0; i < 3; i++) expect(r.x[i]).toBeCloseTo(i, 6);
  });

  it("reports non-convergence when iterations run out", () => {
    const r = minimizeBfgs(
      (x, g) => {
        g[0] = -1;
        return -x[0];
      },
      new Float64Array(1),
      { maxIter: 5 },
    );
    expect(r.converged).toBe(false);
  });
});
