import { describe, expect, it } from "vitest";
import { sample } from "./sample.js";
import { samplerSummary, summarize } from "./summarize.js";
import { gaussian } from "./testing/targets.js";

describe("summarize", () => {
  it("summarises transformed draws under the given names", async () => {
    const res = await sample({
      ...gaussian([0, 1], [1, 0.5]),
      seed: 3,
      chains: 2,
      warmup: 200,
      draws: 400,
    });
    const s = summarize(res, {
      names: ["a", "exp_b"],
      transform: {
        dim: 2,
        apply: (q, o) => {
          o[0] = q[0];
          o[1] = Math.exp(q[1]);
        },
      },
    });
    expect(s.map((x) => x.name)).toEqual(["a", "exp_b"]);
    // E[exp(b)] for b ~ N(1, 0.25) is exp(1 + 0.125)
    expect(Math.abs(s[1].mean - Math.exp(1.125))).toBeLessThan(4 * s[1].mcseMean);
    expect(s[0].q5).toBeLessThan(s[0].q25);
    expect(s[0].q75).toBeLessThan(s[0].q95);
    expect(s[0].ess_bulk).toBe(s[0].essBulk);
    expect(s[0].mcse_mean).toBe(s[0].mcseMean);
    const sm = samplerSummary(res);
    expect(sm.ebfmi.length).toBe(2);
    expect(sm.ebfmi.every((e) => e > 0.3)).toBe(true);
    expect(sm.gradientEvals).toBe(res.gradientEvals[0] + res.gradientEvals[1]);
    expect(sm.maxTreeDepthHits).toBe(0);
  });
});
