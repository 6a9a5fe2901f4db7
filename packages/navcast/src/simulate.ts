/**
 * The DGP simulation lab: simulates a fund from MODEL.md sections 2-3 given parameters and a
 * skeleton. The comparable's residual follows the skeleton's GARCH(1,1), so h_t is the model's
 * conditional variance and the fund processor can recover it. Pure: seeded by its arguments.
 */
import { floorEps } from "./density.js";
import type { FundSeries } from "./fund-series.js";
import { defaultPrior, type ParamName } from "./model-config.js";
import type { ModelData } from "./model-data.js";
import { samplePrior } from "./prior-sample.js";
import type { PriorSpec } from "./priors.js";
import { createRng, normal, type RngState, uniform } from "./rng.js";
import type { FundSkeleton } from "./skeleton.js";
import { logSoftplus, normalCdf, normalQuantile } from "./special.js";

/** True parameter values of a simulated fund (section-5 names). */
export type TrueParams = Record<
  "alpha" | "beta" | "F" | "rho" | "lambda" | "sigma_n" | "log_delta" | "sigma_d" | "sigma_s",
  number
>;

/** Options of `simulateFund`. */
export interface SimulateOptions {
  seed: number;
  /** GP appraisal lag L in weeks (default 2). */
  navLagWeeks?: number;
}

/** A simulated fund with its truth (parameters, V_t and h_t). */
export function simulateFund(sk: FundSkeleton, p: TrueParams, o: SimulateOptions): FundSeries {
  const T = sk.weeks.length;
  const L = o.navLagWeeks ?? 2;
  const rng = createRng(o.seed, 0x51a);
  const C = sk.contributions;
  const D = new Float64Array(T);
  const N = new Float64Array(T).fill(Number.NaN);
  const S = new Float64Array(T).fill(Number.NaN);
  const y = new Float64Array(T);
  const h = new Float64Array(T);
  const logV = new Float64Array(T);
  const V = new Float64Array(T);
  const eps = floorEps(C);
  const { omega, a, b } = sk.garch;
  const sr = Math.sqrt(1 - p.rho * p.rho);
  const lk0 = Math.max(L, 1);
  const B = new Float64Array(T);
  let u = 0;
  for (let i = 0; i < T; i++) {
    h[i] = i === 0 ? omega / (1 - a - b) : omega + a * u * u + b * h[i - 1];
    const s = Math.sqrt(h[i]);
    const e = normal(rng);
    const eta = normal(rng);
    // component 2: y_t = alpha_c + beta_cM m_t + rho sqrt(h) e_t + sqrt((1 - rho^2) h) eta_t
    u = s * (p.rho * e + sr * eta);
    y[i] = sk.alphaC + sk.betaCM * sk.market[i] + u;
    const r = p.alpha + p.beta * sk.market[i] + p.F * s * e;
    const U = i === 0 ? 0 : Math.exp(logV[i - 1] + r);
    const de = normal(rng);
    if (i >= 1 && sk.distributionWeeks[i]) {
      // component 3: log D_t ~ Normal(log delta + log V_{t-1}, sigma_d)
      D[i] = Math.exp(p.log_delta + logV[i - 1] + p.sigma_d * de);
    }
    logV[i] = Math.log(eps) + logSoftplus((U + C[i] - D[i]) / eps);
    V[i] = Math.exp(logV[i]);
    B[i] = i < lk0 ? V[i] : p.lambda * B[i - 1] + (1 - p.lambda) * V[i - L];
    const un = uniform(rng);
    if (sk.navWeeks[i]) N[i] = sampleTruncNormalNav(B[i], p.sigma_n, un);
    const se = normal(rng);
    if (sk.secondaryWeeks[i]) S[i] = Math.exp(logV[i] + p.sigma_s * se);
  }
  return {
    name: sk.name,
    weeks: sk.weeks,
    contributions: Float64Array.from(C),
    distributions: D,
    navGp: N,
    secondary: S,
    market: Float64Array.from(sk.market),
    comparable: y,
    truth: { params: { ...p, alpha_c: sk.alphaC, beta_cM: sk.betaCM }, V, h },
  };
}

/**
 * Component 4 by inverse CDF: N = B + sigma_n B z with z ~ N(0, 1) truncated to z > -1/sigma_n,
 * from one uniform `u` (so common random numbers carry over).
 */
export function sampleTruncNormalNav(B: number, sigmaN: number, u: number): number {
  const lo = normalCdf(-1 / sigmaN);
  const z = normalQuantile(lo + (1 - lo) * u);
  return Math.max(B * (1 + sigmaN * z), Number.MIN_VALUE);
}

/** The reference estimates the default priors use when no fund processor has run (section 4). */
const REFERENCE: ModelData = {
  contributions: new Float64Array(0),
  distributions: new Float64Array(0),
  navGp: new Float64Array(0),
  secondary: new Float64Array(0),
  market: new Float64Array(0),
  comparable: new Float64Array(0),
  h: new Float64Array(0),
  alphaC: 0,
  betaCM: 1,
  alphaCSe: 1,
  betaCMSe: 1,
  deltaHat: 0.05,
  sigmaDHat: 1,
};

/**
 * Draws true parameters from the priors (section-5 defaults, with delta_hat = 0.05 and
 * sigma_d_hat = 1, overridden by `priors`).
 */
export function drawParams(
  rng: RngState,
  priors: Partial<Record<ParamName, PriorSpec>> = {},
): TrueParams {
  const names = [
    "alpha",
    "beta",
    "F",
    "rho",
    "lambda",
    "sigma_n",
    "log_delta",
    "sigma_d",
    "sigma_s",
  ] as const;
  const out = {} as TrueParams;
  for (const n of names) out[n] = samplePrior(priors[n] ?? defaultPrior(n, REFERENCE), rng);
  return out;
}
