import { describe, expect, it } from "vitest";
import { createDensity } from "./density.js";
import { processWindow, trimToFirstContribution } from "./fund-processor.js";
import { initialPoints } from "./initial-points.js";
import { DEFAULT_MODEL_OPTIONS } from "./model-config.js";
import { simulateFund } from "./simulate.js";
import { generateSkeleton } from "./skeleton.js";

describe("initialPoints", () => {
  it("starts the GP's appraisal on the reported NAVs, with a finite density and gradient", () => {
    const P = {
      alpha: 0.001,
      beta: 1.2,
      F: 1.5,
      rho: 0.3,
      lambda: 0.4,
      sigma_n: 0.02,
      log_delta: Math.log(0.25),
      sigma_d: 0.3,
      sigma_s: 0.1,
    };
    const f = trimToFirstContribution(
      simulateFund(generateSkeleton({ seed: 12, years: 5 }), P, { seed: 13 }),
    ).fund;
    const { data } = processWindow(f, f.weeks.length, { garchMethod: "garch", allowIgarch: false });
    const dens = createDensity(data, DEFAULT_MODEL_OPTIONS);
    const inits = initialPoints(dens, data, 3, 99);
    expect(inits).toHaveLength(3);
    const lb = new Float64Array(dens.logNav.length);
    const g = new Float64Array(dens.dim);
    for (const q of inits) {
      expect(Number.isFinite(dens.logDensityGradient(q, g))).toBe(true);
      expect(g.every(Number.isFinite)).toBe(true);
      // the GP's appraisal B (smoothed, lagged V) on the NAVs
      dens.navLogB(q, lb);
      let worst = 0;
      for (let j = 0; j < lb.length; j++) worst = Math.max(worst, Math.abs(lb[j] - dens.logNav[j]));
      expect(worst).toBeLessThan(0.15);
    }
    expect(inits[0]).not.toEqual(inits[1]);
  });
});
