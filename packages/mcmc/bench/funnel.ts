import { sample } from "../src/sample.js";
import { samplerSummary, summarize } from "../src/summarize.js";
import { funnel } from "../src/testing/targets.js";

for (const seed of [3, 4, 5]) {
  const res = await sample({ ...funnel(10), seed, chains: 4, warmup: 1000, draws: 1000 });
  const s = samplerSummary(res);
  const v = summarize(res)[0];
  console.log(seed, s.divergences, s.stepSize, s.meanTreeDepth, v.mean, v.sd, v.q5, v.q95, v.rhat);
}
