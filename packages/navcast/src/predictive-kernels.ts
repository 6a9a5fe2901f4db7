/**
 * The elementwise part of the posterior predictive (MODEL.md section 7) as gpu.js kernels over
 * draws x weeks: replicated comparable returns, log distributions and truncated-normal NAVs from
 * the master shocks. gpu.js computes in Float32; `replicateObservations` in predictive.ts is the
 * double-precision reference these kernels are tested against. Mode "cpu" runs anywhere; "gpu"
 * needs a GPU backend on the machine.
 */
import { GPU, type IKernelFunctionThis } from "gpu.js";
import type { MasterShocks } from "./master-shocks.js";
import type { ModelData } from "./model-data.js";
import type { PredictiveDraws, PredictiveOutput, PredictivePaths } from "./predictive.js";
import { normalCdf } from "./special.js";

type Rows = Float32Array[];

/** Acklam's normal quantile (relative error 1.2e-9), written for the kernel language. */
function kernelNormalQuantile(p: number): number {
  let q = 0;
  let r = 0;
  let x = 0;
  if (p < 0.02425) {
    q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((-0.007784894002430293 * q - 0.3223964580411365) * q - 2.400758277161838) * q -
        2.549732539343734) *
        q +
        4.374664141464968) *
        q +
        2.938163982698783) /
      ((((0.007784695709041462 * q + 0.3224671290700398) * q + 2.445134137142996) * q +
        3.754408661907416) *
        q +
        1);
  } else if (p > 0.97575) {
    q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(
      (((((-0.007784894002430293 * q - 0.3223964580411365) * q - 2.400758277161838) * q -
        2.549732539343734) *
        q +
        4.374664141464968) *
        q +
        2.938163982698783) /
      ((((0.007784695709041462 * q + 0.3224671290700398) * q + 2.445134137142996) * q +
        3.754408661907416) *
        q +
        1)
    );
  } else {
    q = p - 0.5;
    r = q * q;
    x =
      ((((((-39.69683028665376 * r + 220.9460984245205) * r - 275.9285104469687) * r +
        138.357751867269) *
        r -
        30.66479806614716) *
        r +
        2.506628277459239) *
        q) /
      (((((-54.47609879822406 * r + 161.5858368580409) * r - 155.6989798598866) * r +
        66.80131188771972) *
        r -
        13.28068155288572) *
        r +
        1);
  }
  return x;
}

/** Kernels for one (H, S) shape; build once, run for many windows. */
export interface PredictiveKernels {
  run(
    data: ModelData,
    draws: PredictiveDraws,
    paths: PredictivePaths,
    shocks: MasterShocks,
    alphaC: number,
    betaCM: number,
  ): PredictiveOutput;
  destroy(): void;
}

/** Builds the kernels for n draws over H weeks. */
export function createPredictiveKernels(
  n: number,
  H: number,
  mode: "cpu" | "gpu" = "cpu",
): PredictiveKernels {
  const gpu = new GPU({ mode });
  gpu.addFunction(kernelNormalQuantile);
  const yKernel = gpu
    .createKernel(function (
      this: IKernelFunctionThis,
      e: Rows,
      market: Float32Array,
      sqrtH: Float32Array,
      rho: Float32Array,
      shock: Rows,
      alphaC: number,
      betaCM: number,
    ) {
      const t = this.thread.x;
      const s = this.thread.y;
      const r = rho[s];
      return (
        alphaC + betaCM * market[t] + sqrtH[t] * (r * e[s][t] + Math.sqrt(1 - r * r) * shock[t][s])
      );
    })
    .setOutput([H, n]);
  const dKernel = gpu
    .createKernel(function (
      this: IKernelFunctionThis,
      logV: Rows,
      logDelta: Float32Array,
      sigmaD: Float32Array,
      shock: Rows,
    ) {
      const t = this.thread.x;
      const s = this.thread.y;
      let v = 0;
      if (t > 0) v = logDelta[s] + logV[s][t - 1] + sigmaD[s] * shock[t][s];
      return v;
    })
    .setOutput([H, n]);
  const nKernel = gpu
    .createKernel(function (
      this: IKernelFunctionThis,
      logB: Rows,
      sigmaN: Float32Array,
      p0: Float32Array,
      u: Rows,
      uc: Rows,
    ) {
      const t = this.thread.x;
      const s = this.thread.y;
      // upper half through the complement, so float32 keeps the tail's precision
      let z = 0;
      if (u[t][s] < 0.5) z = kernelNormalQuantile(p0[s] + (1 - p0[s]) * u[t][s]);
      else z = -kernelNormalQuantile((1 - p0[s]) * uc[t][s]);
      return Math.exp(logB[s][t]) * (1 + sigmaN[s] * z);
    })
    .setOutput([H, n]);
  return {
    run(data, draws, paths, shocks, alphaC, betaCM) {
      const S = shocks.nSamples;
      const rowsNH = (a: Float64Array) =>
        Array.from({ length: n }, (_, s) => Float32Array.from(a.subarray(s * H, (s + 1) * H)));
      const rowsHS = (a: Float64Array) =>
        Array.from({ length: H }, (_, t) => Float32Array.from(a.subarray(t * S, t * S + n)));
      const f32 = (a: ArrayLike<number>, len: number) =>
        Float32Array.from({ length: len }, (_, i) => a[i]);
      const sqrtH = Float32Array.from({ length: H }, (_, t) => Math.sqrt(data.h[t]));
      const p0 = Float32Array.from({ length: n }, (_, s) => normalCdf(-1 / draws.sigmaN[s]));
      const y = yKernel(
        rowsNH(paths.e),
        f32(data.market, H),
        sqrtH,
        f32(draws.rho, n),
        rowsHS(shocks.comparable),
        alphaC,
        betaCM,
      ) as Float32Array[];
      const d = dKernel(
        rowsNH(paths.logV),
        f32(draws.logDelta, n),
        f32(draws.sigmaD, n),
        rowsHS(shocks.distribution),
      ) as Float32Array[];
      const uc = shocks.nav.map((v) => 1 - v);
      const nv = nKernel(
        rowsNH(paths.logB),
        f32(draws.sigmaN, n),
        p0,
        rowsHS(shocks.nav),
        rowsHS(uc),
      ) as Float32Array[];
      const flat = (rows: Float32Array[]) => {
        const o = new Float64Array(n * H);
        rows.forEach((r, s) => {
          o.set(r, s * H);
        });
        return o;
      };
      const logD = flat(d);
      for (let s = 0; s < n; s++) logD[s * H] = Number.NaN;
      return { n, H, V: paths.logV.map(Math.exp), y: flat(y), logD, N: flat(nv) };
    },
    destroy() {
      gpu.destroy();
    },
  };
}
