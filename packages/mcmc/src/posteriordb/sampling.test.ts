import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { MetricKind } from "../adaptation/metric-adapter.js";
import { sample } from "../sample.js";
import { samplerSummary, summarize } from "../summarize.js";
import { posteriordbDir } from "../testing/posteriordb-dir.js";
import { compareWithReference, type ReferencePosterior } from "./reference.js";
import { POSTERIORDB_MODELS } from "./registry.js";

const root = posteriordbDir();
const refs = (
  JSON.parse(readFileSync(new URL("reference.json", root), "utf8")) as {
    posteriors: ReferencePosterior[];
  }
).posteriors;

// kilpisjarvi (alpha-beta correlation ~ -1) is the README's "good case for a dense metric"
const METRIC: Record<string, MetricKind> = { "kilpisjarvi_mod-kilpisjarvi": "dense" };

async function run(ref: ReferencePosterior) {
  const model = POSTERIORDB_MODELS[ref.posterior].create(
    JSON.parse(readFileSync(new URL(`${ref.posterior}/data.json`, root), "utf8")) as never,
  );
  const res = await sample({
    dim: model.dim,
    logDensityGradient: (q, g) => model.logDensityGradient(q, g),
    seed: 20251125,
    chains: 4,
    warmup: 1000,
    draws: 1000,
    metric: METRIC[ref.posterior] ?? "diag",
    // the reference run's settings (README: reference_method)
    targetAccept: ref.reference_method.control.adapt_delta,
    maxTreeDepth: ref.reference_method.control.max_treedepth ?? 10,
  });
  const summary = summarize(res, {
    names: model.names,
    transform: { dim: model.names.length, apply: (q, o) => model.constrain(q, o) },
  });
  return { res, summary, sampler: samplerSummary(res) };
}

describe.each(refs.filter((r) => r.posterior !== "eight_schools-eight_schools_centered"))(
  "posteriordb $posterior",
  (ref) => {
    it("passes the health gates and matches the reference means and sds within 4 MCSE", async () => {
      const { res, summary, sampler } = await run(ref);
      for (const d of res.draws) expect(d.every(Number.isFinite)).toBe(true);
      expect(sampler.divergences).toBe(0);
      for (const s of summary) {
        expect(s.rhat).toBeLessThan(1.01);
        expect(s.essBulk).toBeGreaterThanOrEqual(400);
        expect(s.essTail).toBeGreaterThanOrEqual(400);
      }
      for (const a of compareWithReference(ref, summary)) {
        expect(a.zMean, `${a.name} mean`).toBeLessThanOrEqual(4);
        expect(a.zSd, `${a.name} sd`).toBeLessThanOrEqual(4);
      }
    });
  },
);

describe("posteriordb eight_schools_centered (the funnel)", () => {
  it("detects and reports divergences", async () => {
    const ref = refs.find((r) => r.posterior === "eight_schools-eight_schools_centered");
    if (!ref) throw new Error("reference missing");
    const { res, sampler } = await run({
      ...ref,
      reference_method: { control: { adapt_delta: 0.8 } },
    });
    expect(sampler.divergences).toBeGreaterThan(0);
    const perChain = res.stats.map((s) => s.divergent.reduce((a, b) => a + b, 0));
    expect(perChain.reduce((a, b) => a + b, 0)).toBe(sampler.divergences);
    for (const d of res.draws) expect(d.every(Number.isFinite)).toBe(true);
  });
});
