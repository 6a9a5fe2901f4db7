// Metric comparison on the NAVcast-like toy (src/testing/navcast-like.ts) at a given length.
//   pnpm tsx packages/mcmc/bench/navcast-like-metrics.ts [T] [metrics...]
import type { MetricKind } from "../src/adaptation/metric-adapter.js";
import { sample } from "../src/sample.js";
import { samplerSummary, summarize } from "../src/summarize.js";
import { createPotential, simulate } from "../src/testing/navcast-like.js";

const T = Number(process.argv[2] ?? 208);
const metrics = (
  process.argv.slice(3).length ? process.argv.slice(3) : ["diag", "diag-grad", "lowrank"]
) as MetricKind[];
const model = createPotential(simulate(7, T));
for (const metric of metrics) {
  const c0 = process.cpuUsage();
  const res = await sample({
    dim: model.dim,
    logDensityGradient: (q, g) => model.logDensityGradient(q, g),
    seed: 3,
    metric,
  });
  const cpu = process.cpuUsage(c0);
  const secs = (cpu.user + cpu.system) / 1e6;
  const s = summarize(res, {
    names: model.names,
    transform: { dim: 4, apply: (q, o) => model.constrain(q, o) },
  });
  const ss = samplerSummary(res);
  const minEss = Math.min(...s.map((x) => x.essBulk));
  console.log(
    `T=${T} ${metric.padEnd(9)} cpu=${secs.toFixed(1)}s grads=${ss.gradientEvals} depth=${ss.meanTreeDepth.toFixed(2)} div=${ss.divergences} ` +
      `eps=${ss.stepSize.map((e) => e.toPrecision(2)).join(",")} minESS=${minEss.toFixed(0)} ESS/s=${(minEss / secs).toFixed(1)} ` +
      `sigma_n: mean ${s[1].mean.toFixed(4)} q5 ${s[1].q5.toFixed(4)} rhat ${Math.max(...s.map((x) => x.rhat)).toFixed(3)}`,
  );
}
