import { sample } from "../src/sample.js";

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
const c0 = process.cpuUsage();
const r = await sample({ ...iid, seed: 1, chains: 1, warmup: 1000, draws: 100000 });
const grads = r.gradientEvals.reduce((a, b) => a + b, 0);
console.log(((process.cpuUsage(c0).user * 1000) / grads).toFixed(0), "ns/grad", grads);
