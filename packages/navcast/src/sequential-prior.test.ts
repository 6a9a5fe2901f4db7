import { describe, expect, it } from "vitest";
import { samplePrior } from "./prior-sample.js";
import type { PriorSpec } from "./priors.js";
import { createRng } from "./rng.js";
import { momentMatch } from "./sequential-prior.js";

describe("momentMatch", () => {
  it.each([
    { family: "normal", mu: 0.3, sigma: 0.2 },
    { family: "lognormal", mu: -1, sigma: 0.4 },
    { family: "halfnormal", sigma: 0.1 },
    { family: "beta", a: 3, b: 5 },
    { family: "uniform", lower: -0.5, upper: 0.3 },
  ] as PriorSpec[])("recovers %o from its own draws", (spec) => {
    const r = createRng(9);
    const x = Float64Array.from({ length: 50_000 }, () => samplePrior(spec, r));
    const m = momentMatch(spec, x) as Record<string, unknown>;
    for (const [k, v] of Object.entries(spec)) {
      if (typeof v === "number")
        expect(Math.abs((m[k] as number) - v)).toBeLessThan(0.03 * Math.max(1, Math.abs(v)));
    }
  });
});
