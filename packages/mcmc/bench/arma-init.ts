import { readFileSync } from "node:fs";
import { createPotential } from "../src/posteriordb/arma11.js";
import { sample } from "../src/sample.js";

const model = createPotential(
  JSON.parse(readFileSync("/work/shared/validation/posteriordb/arma-arma11/data.json", "utf8")),
);
const g = new Float64Array(4);
const res = await sample({
  dim: 4,
  logDensityGradient: (q, gg) => model.logDensityGradient(q, gg),
  seed: 11,
  chains: 8,
  warmup: 300,
  draws: 200,
  init: "uniform",
});
res.initPoints.forEach((p, c) =>
  console.log(
    c,
    Array.from(p).map((x) => x.toFixed(2)),
    model.logDensityGradient(p, g).toExponential(2),
    res.stepSize[c],
    Array.from(res.draws[c].subarray(0, 4)).map((x) => x.toFixed(3)),
  ),
);
