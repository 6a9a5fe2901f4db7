/**
 * Posterior predictive of one window from its raw draws (MODEL.md section 7): builds the
 * per-draw inputs from the density, runs the value recursion forward and the elementwise
 * replication on gpu.js kernels or the TypeScript path.
 */
import type { NavcastDensity } from "./density.js";
import type { MasterShocks } from "./master-shocks.js";
import type { ModelData } from "./model-data.js";
import {
  allocatePredictiveDraws,
  type PredictiveOutput,
  predictivePaths,
  replicateObservations,
} from "./predictive.js";
import { createPredictiveKernels } from "./predictive-kernels.js";

/** Options: horizon H (weeks of `full` to cover, default tau) and the compute path. */
export interface PredictiveOptions {
  horizon?: number;
  engine?: "gpu.js-cpu" | "gpu.js-gpu" | "typescript";
}

/**
 * Replications for the first min(draws, shocks.nSamples) retained draws (chains pooled in order);
 * `full` is the fund's data over at least H weeks (flows, market and h beyond tau).
 */
export function posteriorPredictive(
  density: NavcastDensity,
  full: ModelData,
  rawDraws: Float64Array[],
  shocks: MasterShocks,
  o: PredictiveOptions = {},
): PredictiveOutput {
  const tau = density.T;
  const H = o.horizon ?? tau;
  if (H < tau || H > full.contributions.length || H > shocks.maxTime) {
    throw new RangeError(`horizon ${H} must lie in [tau=${tau}, min(weeks, max_time)]`);
  }
  const rows: Float64Array[] = [];
  for (const c of rawDraws) {
    for (let i = 0; i < c.length / density.dim && rows.length < shocks.nSamples; i++) {
      rows.push(c.subarray(i * density.dim, (i + 1) * density.dim));
    }
  }
  const n = rows.length;
  const d = allocatePredictiveDraws(n, tau);
  const lv = new Float64Array(tau);
  const ev = new Float64Array(tau);
  rows.forEach((q, s) => {
    const p = density.constrainedParams(q);
    d.alpha[s] = p.alpha;
    d.beta[s] = p.beta;
    d.F[s] = p.F;
    d.rho[s] = p.rho;
    d.lambda[s] = p.lambda;
    d.sigmaN[s] = p.sigma_n;
    d.logDelta[s] = p.log_delta;
    d.sigmaD[s] = p.sigma_d;
    d.logV.set(density.logValuePath(q, lv), s * tau);
    d.e.set(density.shockPath(q, ev), s * tau);
  });
  const paths = predictivePaths(full, d, tau, H, density.lag, density.eps, shocks);
  const engine = o.engine ?? "gpu.js-cpu";
  if (engine === "typescript")
    return replicateObservations(full, d, paths, shocks, full.alphaC, full.betaCM);
  const k = createPredictiveKernels(n, H, engine === "gpu.js-gpu" ? "gpu" : "cpu");
  try {
    return k.run(full, d, paths, shocks, full.alphaC, full.betaCM);
  } finally {
    k.destroy();
  }
}
