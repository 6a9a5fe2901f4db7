import { sample } from "../src/sample.js";

const sc = [1e-2, 1, 1e2];
const f = (q: Float64Array, g: Float64Array) => {
  let lp = 0;
  for (let i = 0; i < 3; i++) {
    g[i] = -q[i] / sc[i] ** 2;
    lp -= 0.5 * (q[i] / sc[i]) ** 2;
  }
  return lp;
};
for (const metric of ["diag", "dense", "diag-grad"] as const) {
  const t = performance.now();
  const r = await sample({ dim: 3, logDensityGradient: f, seed: 1, metric });
  console.log(metric, performance.now() - t, r.stepSize, r.inverseMetric[0], r.warnings);
  const d = r.draws[0];
  const n = d.length / 3;
  for (let i = 0; i < 3; i++) {
    let m = 0,
      v = 0;
    for (let k = 0; k < n; k++) {
      m += d[k * 3 + i];
    }
    m /= n;
    for (let k = 0; k < n; k++) v += (d[k * 3 + i] - m) ** 2;
    console.log(i, m, Math.sqrt(v / n));
  }
  const s = r.stats[0];
  let td = 0,
    nl = 0,
    acc = 0;
  for (let k = 0; k < n; k++) {
    td += s.treeDepth[k];
    nl += s.nLeapfrog[k];
    acc += s.acceptStat[k];
  }
  console.log("depth", td / n, "nleap", nl / n, "acc", acc / n);
}
