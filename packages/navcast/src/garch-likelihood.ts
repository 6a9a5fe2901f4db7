/**
 * Gaussian negative log-likelihoods of the GARCH variance equations (MODEL.md section 4), with
 * analytic gradients by forward sensitivity recursions, on unconstrained parameters. A missing
 * residual (NaN) contributes nothing and its square is replaced by its expectation h_t.
 */

/** The variance equations the six methods use. */
export type VarianceModel = "garch" | "garch_x" | "egarch";

/** Number of unconstrained parameters of each variance model. */
export const N_PARAMS: Record<VarianceModel, number> = { garch: 3, garch_x: 4, egarch: 4 };

/** Constrained parameters from unconstrained theta. */
export function garchParams(model: VarianceModel, th: Float64Array): Record<string, number> {
  if (model === "egarch") return { omega: th[0], a: th[1], gamma: th[2], b: th[3] };
  const p: Record<string, number> = {
    omega: Math.exp(th[0]),
    a: sig(th[1]),
    b: sig(th[2]),
  };
  if (model === "garch_x") p.g = Math.exp(th[3]);
  return p;
}

/** Unconstrained theta of constrained parameters (inverse of `garchParams`). */
export function garchTheta(model: VarianceModel, p: Record<string, number>): Float64Array {
  if (model === "egarch") return Float64Array.from([p.omega, p.a, p.gamma, p.b]);
  const th = [Math.log(p.omega), logit(p.a), logit(p.b)];
  if (model === "garch_x") th.push(Math.log(p.g));
  return Float64Array.from(th);
}

const sig = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(p / (1 - p));
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * Negative log-likelihood (without the 0.5 log 2 pi constants) of residuals `u` with exogenous
 * `x` (squared market return, garch_x only); gradient into `grad`, variances into `h`.
 * h_1 is the sample variance of the observed residuals (log of it for EGARCH).
 */
export function garchNll(
  model: VarianceModel,
  th: Float64Array,
  u: Float64Array,
  x: Float64Array | null,
  h: Float64Array,
  grad: Float64Array,
): number {
  const n = u.length;
  const k = N_PARAMS[model];
  const v0 = sampleVariance(u);
  const dh = new Float64Array(k);
  const dPrev = new Float64Array(k);
  grad.fill(0);
  let nll = 0;
  if (model === "egarch") {
    const [omega, a, gamma, b] = th;
    let l = Math.log(v0); // log h
    for (let t = 0; t < n; t++) {
      if (t > 0) {
        const up = u[t - 1];
        const hp = h[t - 1];
        const lp = l;
        if (Number.isNaN(up)) {
          l = omega + b * lp;
          dh[0] = 1 + b * dPrev[0];
          dh[1] = b * dPrev[1];
          dh[2] = b * dPrev[2];
          dh[3] = lp + b * dPrev[3];
        } else {
          const z = up / Math.sqrt(hp);
          const az = Math.abs(z);
          l = omega + a * (az - SQRT_2_OVER_PI) + gamma * z + b * lp;
          // dz/dl_{t-1} = -z/2
          const c = b - 0.5 * z * (a * Math.sign(z) + gamma);
          dh[0] = 1 + c * dPrev[0];
          dh[1] = az - SQRT_2_OVER_PI + c * dPrev[1];
          dh[2] = z + c * dPrev[2];
          dh[3] = lp + c * dPrev[3];
        }
      }
      h[t] = Math.exp(l);
      if (!Number.isNaN(u[t])) {
        const r = (u[t] * u[t]) / h[t];
        nll += 0.5 * (l + r);
        const gl = 0.5 * (1 - r);
        for (let j = 0; j < k; j++) grad[j] += gl * dh[j];
      }
      dPrev.set(dh);
    }
    return nll;
  }
  const omega = Math.exp(th[0]);
  const a = sig(th[1]);
  const b = sig(th[2]);
  const g = model === "garch_x" ? Math.exp(th[3]) : 0;
  // d(constrained)/d(theta)
  const jw = omega;
  const ja = a * (1 - a);
  const jb = b * (1 - b);
  const jg = g;
  for (let t = 0; t < n; t++) {
    if (t === 0) {
      h[0] = v0;
      dh.fill(0);
    } else {
      const up = u[t - 1];
      const hp = h[t - 1];
      const miss = Number.isNaN(up);
      const sq = miss ? hp : up * up;
      const xe = x ? x[t - 1] : 0;
      h[t] = omega + a * sq + b * hp + g * xe;
      // missing: sq = h_{t-1}, so it carries h_{t-1}'s sensitivity
      const carry = b + (miss ? a : 0);
      dh[0] = jw + carry * dPrev[0];
      dh[1] = ja * sq + carry * dPrev[1];
      dh[2] = jb * hp + carry * dPrev[2];
      if (k === 4) dh[3] = jg * xe + carry * dPrev[3];
    }
    if (!Number.isNaN(u[t])) {
      const r = (u[t] * u[t]) / h[t];
      nll += 0.5 * (Math.log(h[t]) + r);
      const gh = (0.5 * (1 - r)) / h[t];
      for (let j = 0; j < k; j++) grad[j] += gh * dh[j];
    }
    dPrev.set(dh);
  }
  return nll;
}

/** Variance of the non-missing values about their mean. */
export function sampleVariance(u: Float64Array): number {
  let s = 0;
  let s2 = 0;
  let c = 0;
  for (let i = 0; i < u.length; i++) {
    if (Number.isNaN(u[i])) continue;
    s += u[i];
    s2 += u[i] * u[i];
    c++;
  }
  const m = s / c;
  return s2 / c - m * m;
}
