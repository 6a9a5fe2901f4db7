import { describe, expect, it } from "vitest";
import { createRng, normal } from "../rng.js";
import { lowRankAdapter } from "./low-rank-adapter.js";

describe("lowRankAdapter", () => {
  it("recovers the covariance of a correlated Gaussian from 60 draws and gradients", () => {
    // 2-d Gaussian with sds (1, 100), correlation 0.995: Σ = [[1, 99.5], [99.5, 1e4]]
    const sd = [1, 100];
    const rho = 0.995;
    const det = 1 - rho * rho;
    const a = lowRankAdapter(2);
    const rng = createRng(9);
    const q = new Float64Array(2);
    const g = new Float64Array(2);
    for (let k = 0; k < 60; k++) {
      const z1 = normal(rng);
      const z2 = rho * z1 + Math.sqrt(det) * normal(rng);
      q[0] = sd[0] * z1;
      q[1] = sd[1] * z2;
      // g = -Σ^-1 q
      g[0] = -(z1 - rho * z2) / det / sd[0];
      g[1] = -(z2 - rho * z1) / det / sd[1];
      a.add(q, g);
    }
    a.update();
    const c = a.inverseMetric();
    // for a Gaussian the draws-and-gradients estimate is exact whatever the sample (Seyboldt et al. 2024)
    expect(c[0]).toBeCloseTo(1, 3);
    expect(c[3] / 1e4).toBeCloseTo(1, 3);
    expect(c[1] / 99.5).toBeCloseTo(1, 3);
  });
});
