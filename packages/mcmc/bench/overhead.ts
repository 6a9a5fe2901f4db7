// Sampler overhead per leapfrog step on a cheap model (eight schools, dim 10) and a trivial one.
import { readFileSync } from "node:fs";
import { createPotential } from "../src/posteriordb/eight-schools-noncentered.js";
import { sample } from "../src/sample.js";
import { posteriordbDir } from "../src/testing/posteriordb-dir.js";

const data = JSON.parse(
  readFileSync(
    new URL("eight_schools-eight_schools_noncentered/data.json", posteriordbDir()),
    "utf8",
  ),
);
const m = createPotential(data);
const iid = {
  dim: 10,
  logDensityGradient: (q: Float64Array, g: Float64Array) => {
    let lp = 0;
    for (let i = 0; i < 10; i++) {
      g[i] = -q[i];
      lp -= 0.5 * q[i] * q[i];
    }
    return lp;
  },
};
for (let rep = 0; rep < 5; rep++) {
  for (const [name, f] of [
    ["eight", (q: Float64Array, g: Float64Array) => m.logDensityGradient(q, g)],
    ["iid", iid.logDensityGradient],
  ] as const) {
    const c0 = process.cpuUsage();
    const r = await sample({ dim: 10, logDensityGradient: f, seed: rep + 1 });
    const dt = process.cpuUsage(c0).user / 1000;
    const grads = r.gradientEvals.reduce((a, b) => a + b, 0);
    console.log(name, ((dt * 1e6) / grads).toFixed(0), "ns/grad", grads);
  }
}
