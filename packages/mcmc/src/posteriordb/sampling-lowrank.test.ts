import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
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

describe.each(refs.filter((r) => r.posterior !== "eight_schools-eight_schools_centered"))(
  "posteriordb with the low-rank metric: $posterior",
  (ref) => {
    it("passes the health gates and matches the reference means and sds within 4 MCSE", async () => {
      const model = POSTERIORDB_MODELS[ref.posterior].create(
        JSON.parse(readFileSync(new URL(`${ref.posterior}/data.json`, root), "utf8")) as never,
      );
      const res = await sample({
        dim: model.dim,
        logDensityGradient: (q, g) => model.logDensityGradient(q, g),
        seed: 20251125,
        metric: "lowrank",
        targetAccept: ref.reference_method.control.adapt_delta,
        maxTreeDepth: ref.reference_method.control.max_treedepth ?? 10,
      });
      const summary = summarize(res, {
        names: model.names,
        transform: { dim: model.names.length, apply: (q, o) => model.constrain(q, o) },
      });
      expect(samplerSummary(res).divergences).toBe(0);
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
