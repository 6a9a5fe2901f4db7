/** Gradient evaluations per second of the density on a simulated 10-year fund (520 weeks). */
import { createDensity } from "../src/density.js";
import { processWindow, trimToFirstContribution } from "../src/fund-processor.js";
import { DEFAULT_MODEL_OPTIONS } from "../src/model-config.js";
import { createRng, normal } from "../src/rng.js";
import { benchmarkFund } from "./benchmark-fund.js";

const f = trimToFirstContribution(benchmarkFund(10)).fund;
const { data } = processWindow(f, f.weeks.length, { garchMethod: "garch", allowIgarch: false });
const d = createDensity(data, DEFAULT_MODEL_OPTIONS);
const q = new Float64Array(d.dim);
const r = createRng(1);
for (let i = 0; i < d.dim; i++) q[i] = 0.1 * normal(r);
const g = new Float64Array(d.dim);
let s = 0;
const n = 20000;
const t0 = performance.now();
for (let i = 0; i < n; i++) s += d.logDensityGradient(q, g);
const us = ((performance.now() - t0) * 1000) / n;
console.log(
  JSON.stringify({
    weeks: d.T,
    dim: d.dim,
    microseconds_per_gradient: Number(us.toFixed(2)),
    check: s,
  }),
);
