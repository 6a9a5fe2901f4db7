/**
 * Posterior predictive with common random numbers (MODEL.md section 7). For each retained draw s:
 * the value path is the draw's own for t <= tau and is simulated forward after tau with the
 * master fund shocks (the fund's known contributions, replicated distributions); then y, log D
 * and N are replicated at every week from their observation models with the master shocks.
 * The sequential part (value and smoothing recursions) is plain TypeScript; the observation part,
 * elementwise over draws x weeks, runs as gpu.js kernels (predictive-kernels.ts) or in this file's
 * reference path.
 */

import type { MasterShocks } from "./master-shocks.js";
import type { ModelData } from "./model-data.js";
import { logSoftplus, normalCdf, normalQuantile } from "./special.js";

/** Per-draw inputs: constrained parameters and the posterior path up to tau. */
export interface PredictiveDraws {
  /** Number of draws S (<= shocks.nSamples). */
  n: number;
  /** Per-draw parameters, each of length n. */
  alpha: Float64Array;
  beta: Float64Array;
  F: Float64Array;
  rho: Float64Array;
  lambda: Float64Array;
  sigmaN: Float64Array;
  logDelta: Float64Array;
  sigmaD: Float64Array;
  /** log V_t and e_t for t <= tau, n x tau row-major. */
  logV: Float64Array;
  e: Float64Array;
}

/** Zeroed per-draw inputs for `n` draws of a window ending at week `tau`. */
export function allocatePredictiveDraws(n: number, tau: number): PredictiveDraws {
  const perDraw = () => new Float64Array(n);
  return {
    n,
    alpha: perDraw(),
    beta: perDraw(),
    F: perDraw(),
    rho: perDraw(),
    lambda: perDraw(),
    sigmaN: perDraw(),
    logDelta: perDraw(),
    sigmaD: perDraw(),
    logV: new Float64Array(n * tau),
    e: new Float64Array(n * tau),
  };
}

/** The sequential state each draw needs for the elementwise step: n x H row-major. */
export interface PredictivePaths {
  n: number;
  H: number;
  logV: Float64Array;
  logB: Float64Array;
  e: Float64Array;
}

/** Replicated observations and values, n x H row-major. */
export interface PredictiveOutput {
  n: number;
  H: number;
  V: Float64Array;
  y: Float64Array;
  logD: Float64Array;
  N: Float64Array;
}

/**
 * Value paths over weeks 1..H (H <= weeks of `data`, H <= shocks.maxTime): the draw's own up to
 * tau, then forward with shocks.fund; distributions after tau are replicated where the data have
 * one (the data's schedule), contributions are the data's. Also log B_t for lag L.
 */
export function predictivePaths(
  data: ModelData,
  draws: PredictiveDraws,
  tau: number,
  H: number,
  lag: number,
  eps: number,
  shocks: MasterShocks,
): PredictivePaths {
  const { n } = draws;
  const S = shocks.nSamples;
  const logV = new Float64Array(n * H);
  const logB = new Float64Array(n * H);
  const e = new Float64Array(n * H);
  const k0 = Math.max(lag, 1);
  const logEps = Math.log(eps);
  for (let s = 0; s < n; s++) {
    const row = s * H;
    for (let t = 0; t < H; t++) {
      if (t < tau) {
        logV[row + t] = draws.logV[s * tau + t];
        e[row + t] = draws.e[s * tau + t];
      } else {
        const et = shocks.fund[t * S + s];
        e[row + t] = et;
        const r =
          draws.alpha[s] + draws.beta[s] * data.market[t] + draws.F[s] * Math.sqrt(data.h[t]) * et;
        const U = t === 0 ? 0 : Math.exp(logV[row + t - 1] + r);
        const D =
          t > 0 && data.distributions[t] > 0
            ? Math.exp(
                draws.logDelta[s] +
                  logV[row + t - 1] +
                  draws.sigmaD[s] * shocks.distribution[t * S + s],
              )
            : 0;
        logV[row + t] = logEps + logSoftplus((U + data.contributions[t] - D) / eps);
      }
      if (t < k0) logB[row + t] = logV[row + t];
      else {
        const lam = draws.lambda[s];
        const a = Math.log(lam) + logB[row + t - 1];
        const b = Math.log1p(-lam) + logV[row + t - lag];
        const m = Math.max(a, b);
        logB[row + t] = m + Math.log(Math.exp(a - m) + Math.exp(b - m));
      }
    }
  }
  return { n, H, logV, logB, e };
}

/** The elementwise replication in plain TypeScript (double precision): the reference path. */
export function replicateObservations(
  data: ModelData,
  draws: PredictiveDraws,
  paths: PredictivePaths,
  shocks: MasterShocks,
  alphaC: number,
  betaCM: number,
): PredictiveOutput {
  const { n, H } = paths;
  const S = shocks.nSamples;
  const out: PredictiveOutput = {
    n,
    H,
    V: new Float64Array(n * H),
    y: new Float64Array(n * H),
    logD: new Float64Array(n * H),
    N: new Float64Array(n * H),
  };
  for (let s = 0; s < n; s++) {
    const rho = draws.rho[s];
    const sn = draws.sigmaN[s];
    const p0 = normalCdf(-1 / sn);
    for (let t = 0; t < H; t++) {
      const i = s * H + t;
      const k = t * S + s;
      out.V[i] = Math.exp(paths.logV[i]);
      // component 2
      out.y[i] =
        alphaC +
        betaCM * data.market[t] +
        Math.sqrt(data.h[t]) * (rho * paths.e[i] + Math.sqrt(1 - rho * rho) * shocks.comparable[k]);
      // component 3 (t >= 2)
      out.logD[i] =
        t === 0
          ? Number.NaN
          : draws.logDelta[s] + paths.logV[i - 1] + draws.sigmaD[s] * shocks.distribution[k];
      // component 4 by inverse CDF of the truncated normal
      const z = normalQuantile(p0 + (1 - p0) * shocks.nav[k]);
      out.N[i] = Math.exp(paths.logB[i]) * (1 + sn * z);
    }
  }
  return out;
}
