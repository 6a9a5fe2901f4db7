import { sample, summarize } from "@portal/mcmc";

// log density of N(mu = 3, sd = 2) and its gradient; q is the unconstrained parameter vector
const logDensityGradient = (q: Float64Array, grad: Float64Array): number => {
  grad[0] = -(q[0] - 3) / 4;
  return -((q[0] - 3) ** 2) / 8;
};
const res = await sample({
  dim: 1,
  logDensityGradient,
  chains: 4,
  warmup: 500,
  draws: 1000,
  seed: 42,
});
const [mu] = summarize(res, { names: ["mu"] });
console.log(mu.mean, mu.sd, mu.rhat, mu.essBulk); // ≈ 3, ≈ 2, < 1.01, > 1000
