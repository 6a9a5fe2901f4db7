import { describe, expect, it } from "vitest";
import { createPhasePoint } from "../leapfrog.js";
import { DiagMetric } from "../metric/diag-metric.js";
import { createRng } from "../rng.js";
import { initStepSize } from "./step-size-heuristic.js";

describe("initStepSize", () => {
  it("scales with the target's width and returns NaN for a flat (improper) target", () => {
    const at = (sd: number) => {
      const f = (q: Float64Array, g: Float64Array) => {
        g[0] = -q[0] / (sd * sd);
        return (-0.5 * q[0] * q[0]) / (sd * sd);
      };
      const z = createPhasePoint(1);
      z.q[0] = 0.3 * sd;
      z.logp = f(z.q, z.g);
      return initStepSize(f, new DiagMetric(1), createRng(1), 1, z, createPhasePoint(1));
    };
    const e1 = at(1);
    const e2 = at(0.001);
    expect(e1).toBeGreaterThan(0.25);
    expect(e1).toBeLessThan(4);
    expect(e2 / e1).toBeGreaterThan(1e-4);
    expect(e2 / e1).toBeLessThan(1e-2);
    const flat = (_q: Float64Array, g: Float64Array) => {
      g[0] = 0;
      return 0;
    };
    const z = createPhasePoint(1);
    expect(
      Number.isNaN(initStepSize(flat, new DiagMetric(1), createRng(1), 1, z, createPhasePoint(1))),
    ).toBe(true);
  });
});
