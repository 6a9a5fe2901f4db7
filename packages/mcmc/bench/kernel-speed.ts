import { readFileSync } from "node:fs";
import { createPhasePoint, leapfrog } from "../src/leapfrog.js";
import { DiagMetric } from "../src/metric/diag-metric.js";
import { createNutsWorkspace, type NutsInfo, nutsTransition } from "../src/nuts.js";
import { createPotential } from "../src/posteriordb/eight-schools-noncentered.js";
import { createRng } from "../src/rng.js";
import { posteriordbDir } from "../src/testing/posteriordb-dir.js";

const m = createPotential(
  JSON.parse(
    readFileSync(
      new URL("eight_schools-eight_schools_noncentered/data.json", posteriordbDir()),
      "utf8",
    ),
  ),
);
const f = (q: Float64Array, g: Float64Array) => m.logDensityGradient(q, g);
const metric = new DiagMetric(10);
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e3;
};
for (let rep = 0; rep < 3; rep++) {
  const z = createPhasePoint(10);
  z.logp = f(z.q, z.g);
  let t = cpu();
  const N = 2_000_000;
  for (let i = 0; i < N; i++) {
    if (i % 50 === 0) {
      z.q.fill(0);
      z.p.fill(0.1);
      z.logp = f(z.q, z.g);
    }
    leapfrog(f, metric, 0.05, z);
  }
  const lf = ((cpu() - t) * 1e6) / N;
  t = cpu();
  for (let i = 0; i < N; i++) f(z.q, z.g);
  const gr = ((cpu() - t) * 1e6) / N;
  const ws = createNutsWorkspace(10, 10);
  const st = createPhasePoint(10);
  st.logp = f(st.q, st.g);
  const rng = createRng(1);
  const info: NutsInfo = {
    acceptStat: 0,
    treeDepth: 0,
    nLeapfrog: 0,
    divergent: false,
    energy: 0,
    maxMicroSteps: 1,
  };
  let n = 0;
  t = cpu();
  for (let i = 0; i < 100_000; i++) {
    nutsTransition(ws, { f, metric, maxDeltaH: 1000 }, rng, 0.3, st, info);
    n += info.nLeapfrog;
  }
  const nu = ((cpu() - t) * 1e6) / n;
  console.log(
    `grad ${gr.toFixed(0)} ns, leapfrog ${lf.toFixed(0)} ns, nuts per leapfrog ${nu.toFixed(0)} ns (${(n / 100000).toFixed(1)} steps/transition)`,
  );
}
