import { describe, expect, it } from "vitest";
import { runCalibration } from "./calibration.js";

/**
 * CI-sized version of issue 9's study (bench/calibration.ts and bench/stan-compare.ts run the
 * full one): funds simulated from the default priors, fitted with the default sampler settings
 * at a shorter run length. Every fit must start, and none may diverge more than the study's
 * health bar allows. The replications include seed 7's funds 1 and 3, on which the plain xi
 * form with the same metric gave 62 and 113 divergences in 4,000 draws.
 */
describe("default sampler on funds from the default priors (CI-sized health check)", () => {
  it("starts every fit and keeps divergences within the health bar", async () => {
    const res = [];
    for (const first of [1, 3]) {
      res.push(
        ...(await runCalibration({
          seed: 7,
          first,
          replications: 1,
          years: 4,
          chains: 4,
          warmup: 300,
          draws: 250,
        })),
      );
    }
    for (const r of res) {
      expect(r.divergences).toBeLessThanOrEqual(4);
      // 1000 draws: a well-mixed fit stays well below 1.05
      expect(r.maxRhat).toBeLessThan(1.05);
      expect(Number.isFinite(r.nowcastLogError)).toBe(true);
    }
  }, 300_000);
});
