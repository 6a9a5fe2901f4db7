import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { InitError } from "./init.js";
import { createPotential as arma11 } from "./posteriordb/arma11.js";
import { sample } from "./sample.js";
import { summarize } from "./summarize.js";
import { posteriordbDir } from "./testing/posteriordb-dir.js";

describe("initialisation", () => {
  it("falls back from a non-finite median to uniform(-2, 2)", async () => {
    // log density undefined for |x| < 0.5: the median (0) is infeasible
    const res = await sample({
      dim: 1,
      logDensityGradient: (q, g) => {
        if (Math.abs(q[0]) < 0.5) return Number.NaN;
        g[0] = -q[0];
        return -0.5 * q[0] * q[0];
      },
      seed: 2,
      chains: 2,
      warmup: 20,
      draws: 20,
    });
    expect(res.initSources).toEqual(["uniform(-2, 2)", "uniform(-2, 2)"]);
    expect(Math.abs(res.initPoints[0][0])).toBeGreaterThanOrEqual(0.5);
  });

  it("finds a feasible point in a narrow region that uniform(-2, 2) misses", async () => {
    const res = await sample({
      dim: 3,
      logDensityGradient: (q, g) => {
        // finite only for 0 < |q_i| < 0.05: the median 0 is infeasible, and uniform(-2, 2)
        // lands inside with probability (0.05 / 2)^3 = 1.6e-5
        let lp = 0;
        for (let i = 0; i < 3; i++) {
          const a = Math.abs(q[i]);
          if (!(a > 0 && a < 0.05)) return Number.NEGATIVE_INFINITY;
          lp += Math.log(a) - Math.log(0.05 - a);
          g[i] = Math.sign(q[i]) * (1 / a + 1 / (0.05 - a));
        }
        return lp;
      },
      seed: 2,
      chains: 1,
      init: "uniform",
      warmup: 20,
      draws: 10,
    });
    expect(res.initSources[0]).toMatch(/^feasible/);
  });

  it("fails with a clear error, without hanging, when no point is feasible", async () => {
    const run = sample({ dim: 2, logDensityGradient: () => Number.NaN, seed: 1, chains: 1 });
    await expect(run).rejects.toThrow(InitError);
    await expect(run).rejects.toThrow(/no usable initial point/);
  });

  it("uses given inits and falls back with a warning when one is infeasible", async () => {
    const res = await sample({
      dim: 1,
      logDensityGradient: (q, g) => {
        if (q[0] > 5) return Number.NEGATIVE_INFINITY;
        g[0] = -q[0];
        return -0.5 * q[0] * q[0];
      },
      seed: 2,
      chains: 2,
      init: [Float64Array.from([1]), Float64Array.from([9])],
      warmup: 10,
      draws: 10,
    });
    expect(res.initSources).toEqual(["given", "median"]);
    expect(res.initPoints[0][0]).toBe(1);
    expect(res.warnings.join()).toMatch(/chain 1: the given init was not usable/);
  });

  it("recovers arma11 from uniform(-2, 2) inits that make the recursion explode", async () => {
    const data = JSON.parse(
      readFileSync(new URL("arma-arma11/data.json", posteriordbDir()), "utf8"),
    );
    const model = arma11(data);
    const res = await sample({
      dim: 4,
      logDensityGradient: (q, g) => model.logDensityGradient(q, g),
      seed: 11,
      chains: 8,
      warmup: 300,
      draws: 200,
      init: "uniform",
    });
    for (const d of res.draws) expect(d.every(Number.isFinite)).toBe(true);
    // with this seed chain 2 starts at theta = -1.06 and is trapped (log p -4.8e4, step 3e-9):
    // it is detected, reported and restarted
    expect(res.warnings.length).toBeGreaterThan(0);
    expect(res.warnings.every((w) => /stuck.*restarted/.test(w))).toBe(true);
    for (const eps of res.stepSize) expect(eps).toBeGreaterThan(0.05);
    // theta (the MA coefficient) of every chain lands in the posterior bulk, |theta| < 1
    const theta = summarize(res)[2];
    expect(theta.rhat).toBeLessThan(1.05);
  });
});
