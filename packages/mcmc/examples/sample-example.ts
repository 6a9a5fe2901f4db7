import { sample, summarize } from "@portal/mcmc";

// log density of N(3, 2²) on the unconstrained space; it fills its gradient
const logDensityGradient = (q: Float64Array, grad: Float64Array): number => {
  grad[0] = -(q[0] - 3) / 4;
  return -((q[0] - 3) ** 2) / 8;
};
const res = await sample({ dim: 1, logDensityGradient, seed: 42 }); // 4 chains x (1000 + 1000)
const [mu] = summarize(res, { names: ["mu"] });
console.log(mu.mean, mu.sd, mu.rhat, mu.essBulk); // ≈ 3, ≈ 2, < 1.01, > 1000
