import { describe, expect, it } from "vitest";
import { checkGradient } from "../gradient-check.js";
import { correlatedGaussian, funnel, gaussian, studentT } from "./targets.js";

describe("test targets", () => {
  it.each([
    ["gaussian", gaussian([1, -2], [0.1, 10])],
    ["correlated", correlatedGaussian(1, 10, 0.9)],
    ["student-t", studentT(3, 2)],
    ["funnel", funnel(4)],
  ] as const)("%s has a gradient that matches finite differences", (_n, t) => {
    const q = Float64Array.from({ length: t.dim }, (_, i) => 0.3 - 0.2 * i);
    expect(checkGradient(t.logDensityGradient, q).maxRelError).toBeLessThan(1e-6);
  });
});
