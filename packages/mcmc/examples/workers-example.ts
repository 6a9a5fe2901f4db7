import { sampleOnWorkers, summarize } from "@portal/mcmc";

// each worker thread imports the module and calls its createPotential(data)
const res = await sampleOnWorkers({
  module: new URL("./normal-model.ts", import.meta.url).href,
  data: { y: [2.1, 1.9, 2.4, 2.0, 1.6] },
  threads: 2, // same seed, same draws, whatever the thread count
  seed: 42,
});
const [mu] = summarize(res, { names: ["mu"] });
console.log(mu.mean, mu.sd, mu.rhat); // ≈ 2.0, ≈ 0.447, < 1.01
