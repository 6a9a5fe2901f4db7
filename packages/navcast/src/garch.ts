/**
 * The six GARCH methods of MODEL.md section 4, fitted by maximum likelihood with BFGS from
 * several starts. Each fit reports convergence; a non-stationary fit is an error unless
 * `allowIgarch`; daily methods without daily data fail. Nothing falls back silently.
 */
import { minimizeBfgs } from "./bfgs.js";
import { FundProcessorError } from "./errors.js";
import {
  garchNll,
  garchParams,
  garchTheta,
  N_PARAMS,
  sampleVariance,
  type VarianceModel,
} from "./garch-likelihood.js";
import { err, ok, type Result } from "./result.js";

/** The `garch_method` values of the config. */
export type GarchMethod =
  | "garch"
  | "garch_x"
  | "garch_corr"
  | "egarch"
  | "daily_garch_agg"
  | "daily_garch_x_agg";

/** Every method, in the order MODEL.md lists them. */
export const GARCH_METHODS: readonly GarchMethod[] = [
  "garch",
  "garch_x",
  "garch_corr",
  "egarch",
  "daily_garch_agg",
  "daily_garch_x_agg",
];

/** Daily residuals and market returns with the weekly index (0-based) of each day. */
export interface DailyResiduals {
  readonly week: Int32Array;
  readonly u: Float64Array;
  readonly m: Float64Array;
}

/** Input of `fitGarch`: weekly OLS residuals (NaN where y is missing) over weeks 1..tau. */
export interface GarchInput {
  method: GarchMethod;
  residuals: Float64Array;
  market: Float64Array;
  daily?: DailyResiduals;
  allowIgarch?: boolean;
  /** Rolling window of garch_corr, in weeks (default 26). */
  corrWindow?: number;
  /** Where this fit belongs (fund, window), carried into errors. */
  context: Record<string, unknown>;
}

/** A fitted GARCH: parameters (on the residual's own scale), h_t per week, and diagnostics. */
export interface GarchFit {
  method: GarchMethod;
  params: Record<string, number>;
  /** Asymptotic standard errors (inverse numerical Hessian of the likelihood). */
  standardErrors: Record<string, number>;
  /** Conditional variance per week, t = 1..tau. */
  h: Float64Array;
  logLik: number;
  converged: boolean;
  iterations: number;
  starts: number;
  /** a + b (+ g excluded) for GARCH; b for EGARCH. */
  persistence: number;
}

/** Fits `input.method`; failures come back as a FundProcessorError result. */
export function fitGarch(input: GarchInput): Result<GarchFit, FundProcessorError> {
  const { method, context } = input;
  const T = input.residuals.length;
  if (method === "daily_garch_agg" || method === "daily_garch_x_agg") {
    const d = input.daily;
    if (!d || d.u.length === 0) {
      return err(
        new FundProcessorError(
          "garch_needs_daily",
          `garch_method ${method} needs daily market and comparable series, and the fund has none`,
          { ...context, method },
        ),
      );
    }
    const model: VarianceModel = method === "daily_garch_agg" ? "garch" : "garch_x";
    const xd = model === "garch_x" ? squares(d.m) : null;
    const r = fitVariance(model, d.u, xd, input, "daily");
    if (!r.ok) return r;
    const h = new Float64Array(T);
    const seen = new Uint8Array(T);
    for (let i = 0; i < d.week.length; i++) {
      const w = d.week[i];
      if (w >= 0 && w < T) {
        h[w] += r.value.h[i];
        seen[w] = 1;
      }
    }
    const missing = seen.indexOf(0);
    if (missing >= 0) {
      return err(
        new FundProcessorError(
          "fund_processor",
          `garch_method ${method}: week ${missing + 1} has no daily data to aggregate`,
          { ...context, method, week: missing + 1 },
        ),
      );
    }
    return ok({ ...r.value, method, h });
  }
  if (method === "garch_corr") {
    const u = removeRollingCorrelation(input.residuals, input.market, input.corrWindow ?? 26);
    const r = fitVariance("garch", u, null, input, "weekly");
    return r.ok ? ok({ ...r.value, method }) : r;
  }
  if (method === "garch" || method === "garch_x" || method === "egarch") {
    const x = method === "garch_x" ? squares(input.market) : null;
    const r = fitVariance(method, input.residuals, x, input, "weekly");
    return r.ok ? ok({ ...r.value, method }) : r;
  }
  return err(
    new FundProcessorError("fund_processor", `unknown garch_method ${JSON.stringify(method)}`, {
      ...context,
      method,
    }),
  );
}

function squares(a: Float64Array): Float64Array {
  return a.map((v) => v * v);
}

/**
 * garch_corr's pre-step: subtracts from u_t its regression on m_t over the previous `w` weeks
 * (past only, so h_t stays a one-step-ahead variance).
 */
export function removeRollingCorrelation(
  u: Float64Array,
  m: Float64Array,
  w: number,
): Float64Array {
  const out = new Float64Array(u.length);
  for (let t = 0; t < u.length; t++) {
    if (Number.isNaN(u[t])) {
      out[t] = Number.NaN;
      continue;
    }
    let sum = 0;
    let smm = 0;
    let sm = 0;
    let su = 0;
    let c = 0;
    for (let s = Math.max(0, t - w); s < t; s++) {
      if (Number.isNaN(u[s])) continue;
      sum += u[s] * m[s];
      smm += m[s] * m[s];
      sm += m[s];
      su += u[s];
      c++;
    }
    const cov = c > 2 ? sum / c - (sm / c) * (su / c) : 0;
    const vm = c > 2 ? smm / c - (sm / c) ** 2 : 0;
    const beta = vm > 0 ? cov / vm : 0;
    out[t] = u[t] - beta * m[t];
  }
  return out;
}

const STARTS: [number, number][] = [
  [0.05, 0.9],
  [0.1, 0.8],
  [0.2, 0.6],
  [0.03, 0.95],
  [0.15, 0.3],
];

function fitVariance(
  model: VarianceModel,
  uRaw: Float64Array,
  xRaw: Float64Array | null,
  input: GarchInput,
  freq: "weekly" | "daily",
): Result<Omit<GarchFit, "method">, FundProcessorError> {
  const ctx = { ...input.context, method: input.method, frequency: freq };
  const nObs = uRaw.reduce((c, v) => c + (Number.isNaN(v) ? 0 : 1), 0);
  if (nObs < 30) {
    return err(
      new FundProcessorError(
        "fund_processor",
        `GARCH (${input.method}) needs at least 30 ${freq} residuals, got ${nObs}`,
        { ...ctx, observations: nObs },
      ),
    );
  }
  // scale residuals (and the exogenous regressor) to unit variance for conditioning
  const v = sampleVariance(uRaw);
  const sd = Math.sqrt(v);
  const u = uRaw.map((x) => x / sd);
  let xs: Float64Array | null = null;
  let xScale = 1;
  if (xRaw) {
    xScale = mean(xRaw) || 1;
    xs = xRaw.map((x) => x / xScale);
  }
  const n = u.length;
  const h = new Float64Array(n);
  const k = N_PARAMS[model];
  let best: { th: Float64Array; f: number; converged: boolean; iterations: number } | null = null;
  for (const [a0, b0] of STARTS) {
    const p0: Record<string, number> =
      model === "egarch"
        ? { omega: 0, a: a0 + 0.05, gamma: 0, b: b0 }
        : { omega: Math.max(1 - a0 - b0, 0.02), a: a0, b: b0, g: 0.02 };
    const r = minimizeBfgs((th, g) => garchNll(model, th, u, xs, h, g), garchTheta(model, p0), {
      maxIter: 400,
      gradTol: 1e-5,
    });
    if (!Number.isFinite(r.f)) continue;
    // the best converged start wins; a lower value from a start that did not converge (often a
    // degenerate direction where the likelihood runs off) never displaces a converged one
    const better =
      !best ||
      (r.converged && !best.converged) ||
      (r.converged === best.converged && r.f < best.f - 1e-9);
    if (better) best = { th: r.x, f: r.f, converged: r.converged, iterations: r.iterations };
  }
  if (!best?.converged) {
    return err(
      new FundProcessorError(
        "garch_not_converged",
        `GARCH (${input.method}) did not converge from any of ${STARTS.length} starts`,
        { ...ctx, starts: STARTS.length, bestNegLogLik: best?.f ?? null },
      ),
    );
  }
  const ps = garchParams(model, best.th);
  const persistence = model === "egarch" ? ps.b : ps.a + ps.b;
  const stationary = model === "egarch" ? Math.abs(ps.b) < 1 : persistence < 1;
  if (!stationary && !input.allowIgarch) {
    return err(
      new FundProcessorError(
        "garch_nonstationary",
        `GARCH (${input.method}) fit is not stationary (persistence ${persistence.toFixed(4)} >= 1); set garch_allow_igarch to accept it`,
        { ...ctx, persistence },
      ),
    );
  }
  garchNll(model, best.th, u, xs, h, new Float64Array(k));
  const hOut = h.map((x) => x * v);
  const params = rescale(model, ps, v, xScale);
  const se = standardErrors(model, best.th, u, xs, v, xScale);
  return ok({
    params,
    standardErrors: se,
    h: hOut,
    logLik: -(best.f + nObs * Math.log(sd) + 0.5 * nObs * Math.log(2 * Math.PI)),
    converged: true,
    iterations: best.iterations,
    starts: STARTS.length,
    persistence,
  });
}

function rescale(
  model: VarianceModel,
  p: Record<string, number>,
  v: number,
  xScale: number,
): Record<string, number> {
  if (model === "egarch") return { ...p, omega: p.omega + (1 - p.b) * Math.log(v) };
  const out: Record<string, number> = { ...p, omega: p.omega * v };
  if (model === "garch_x") out.g = (p.g * v) / xScale;
  return out;
}

/** Delta-method standard errors from a central-difference Hessian of the analytic gradient. */
function standardErrors(
  model: VarianceModel,
  th: Float64Array,
  u: Float64Array,
  x: Float64Array | null,
  v: number,
  xScale: number,
): Record<string, number> {
  const k = th.length;
  const h = new Float64Array(u.length);
  const H = new Float64Array(k * k);
  const gp = new Float64Array(k);
  const gm = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const e = 1e-5;
    const t0 = th[j];
    th[j] = t0 + e;
    garchNll(model, th, u, x, h, gp);
    th[j] = t0 - e;
    garchNll(model, th, u, x, h, gm);
    th[j] = t0;
    for (let i = 0; i < k; i++) H[i * k + j] = (gp[i] - gm[i]) / (2 * e);
  }
  const cov = invertSymmetric(H, k);
  // delta method with the full Jacobian of the rescaled parameters (EGARCH's omega depends on b)
  const f = (t: Float64Array) => Object.values(rescale(model, garchParams(model, t), v, xScale));
  const names = Object.keys(garchParams(model, th));
  const J = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    const e = 1e-6;
    const t0 = th[j];
    th[j] = t0 + e;
    const fp = f(th);
    th[j] = t0 - e;
    const fm = f(th);
    th[j] = t0;
    for (let i = 0; i < k; i++) J[i * k + j] = (fp[i] - fm[i]) / (2 * e);
  }
  const out: Record<string, number> = {};
  names.forEach((name, i) => {
    let s2 = 0;
    for (let a = 0; a < k; a++)
      for (let b = 0; b < k; b++)
        s2 += J[i * k + a] * (cov ? cov[a * k + b] : Number.NaN) * J[i * k + b];
    out[name] = Math.sqrt(Math.max(s2, 0));
  });
  return out;
}

function invertSymmetric(A: Float64Array, n: number): Float64Array | null {
  // Gauss-Jordan with partial pivoting on a copy
  const M = Float64Array.from(A);
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r * n + c]) > Math.abs(M[piv * n + c])) piv = r;
    if (Math.abs(M[piv * n + c]) < 1e-300) return null;
    for (let j = 0; j < n; j++) {
      [M[c * n + j], M[piv * n + j]] = [M[piv * n + j], M[c * n + j]];
      [I[c * n + j], I[piv * n + j]] = [I[piv * n + j], I[c * n + j]];
    }
    const d = M[c * n + c];
    for (let j = 0; j < n; j++) {
      M[c * n + j] /= d;
      I[c * n + j] /= d;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r * n + c];
      for (let j = 0; j < n; j++) {
        M[r * n + j] -= f * M[c * n + j];
        I[r * n + j] -= f * I[c * n + j];
      }
    }
  }
  return I;
}

function mean(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}
