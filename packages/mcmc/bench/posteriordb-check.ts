// Runs every posteriordb model once and prints agreement with the reference (a long study; the
// tests run the same comparison). Usage: pnpm tsx packages/mcmc/bench/posteriordb-check.ts [metric]
import { readFileSync } from "node:fs";
import type { MetricKind } from "../src/adaptation/metric-adapter.js";
import { compareWithReference, type ReferencePosterior } from "../src/posteriordb/reference.js";
import { POSTERIORDB_MODELS } from "../src/posteriordb/registry.js";
import { sample } from "../src/sample.js";
import { samplerSummary, summarize } from "../src/summarize.js";
import { posteriordbDir } from "../src/testing/posteriordb-dir.js";

const root = posteriordbDir();
const refs = (
  JSON.parse(readFileSync(new URL("reference.json", root), "utf8")) as {
    posteriors: ReferencePosterior[];
  }
).posteriors;
const metric = (process.argv[2] ?? "diag") as MetricKind;
const only = process.argv[3];
for (const ref of refs) {
  if (only && !ref.posterior.includes(only)) continue;
  const entry = POSTERIORDB_MODELS[ref.posterior];
  const model = entry.create(
    JSON.parse(readFileSync(new URL(`${ref.posterior}/data.json`, root), "utf8")) as never,
  );
  const t0 = performance.now();
  const res = await sample({
    dim: model.dim,
    logDensityGradient: (q, g) => model.logDensityGradient(q, g),
    seed: 20251125,
    metric,
    targetAccept: ref.reference_method.control.adapt_delta,
    maxTreeDepth: ref.reference_method.control.max_treedepth ?? 10,
  });
  const secs = (performance.now() - t0) / 1000;
  const sum = summarize(res, {
    names: model.names,
    transform: { dim: model.names.length, apply: (q, o) => model.constrain(q, o) },
  });
  const agree = compareWithReference(ref, sum);
  const ss = samplerSummary(res);
  const worst = Math.max(...agree.map((a) => Math.max(a.zMean, a.zSd)));
  console.log(
    `${ref.posterior.padEnd(42)} ${secs.toFixed(2)}s grads=${ss.gradientEvals} div=${ss.divergences} depth=${ss.meanTreeDepth.toFixed(2)} ` +
      `eps=${ss.stepSize.map((e) => e.toPrecision(2)).join(",")} rhat=${Math.max(...sum.map((s) => s.rhat)).toFixed(4)} ` +
      `essB=${Math.min(...sum.map((s) => s.essBulk)).toFixed(0)} essT=${Math.min(...sum.map((s) => s.essTail)).toFixed(0)} worstZ=${worst.toFixed(2)} init=${res.initSources[0]} ${res.warnings.join(";")}`,
  );
}
