import { describe, expect, it } from "vitest";
import { checkGradient } from "../gradient-check.js";
import { createRng, uniform } from "../rng.js";
import { createPotential, simulate } from "./navcast-like.js";

describe("navcast-like toy", () => {
  it("has a gradient that matches finite differences", () => {
    const model = createPotential(simulate(1, 52));
    const rng = createRng(4);
    for (let k = 0; k < 3; k++) {
      const q = Float64Array.from({ length: model.dim }, () => 2 * uniform(rng) - 1);
      q[model.dim - 1] = -3 + uniform(rng); // sigma_n around 0.05
      expect(checkGradient((z, g) => model.logDensityGradient(z, g), q).maxRelError).toBeLessThan(
        1e-6,
      );
    }
  });
});
