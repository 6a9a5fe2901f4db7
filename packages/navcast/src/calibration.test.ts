import { describe, expect, it } from "vitest";
import { coverage, runCalibration } from "./calibration.js";

describe("runCalibration (CI-sized simulation-based calibration)", () => {
  it("covers the truth at close to the nominal rates on one-year funds from the default priors", async () => {
    // 12 replications x 9 quantities; pooled 90% coverage has binomial sd near 0.03 if
    // independent (they are not quite), so the bounds below are about 4 sd wide
    const res = await runCalibration({
      seed: 17,
      replications: 12,
      years: 1,
      chains: 2,
      warmup: 150,
      draws: 100,
    });
    const cov = coverage(res);
    expect(cov.pooled90).toBeGreaterThan(0.75);
    expect(cov.pooled50).toBeGreaterThan(0.3);
    expect(cov.pooled50).toBeLessThan(0.7);
    expect(Object.keys(cov.per)).toContain("V_tau");
  }, 170_000);
});
