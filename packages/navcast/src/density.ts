/**
 * The NAVcast log density with its gradient (MODEL.md sections 2, 3 and 5), on the unconstrained
 * vector q = [transformed parameters..., shock coordinates for weeks 1..T]. The gradient is a
 * hand-written reverse-mode adjoint of the value recursion, so one evaluation costs O(T). Buffers
 * are allocated once in the constructor; `logDensityGradient` allocates nothing.
 *
 * The shock coordinate of week t is xi_t (section 3), except, by default, in weeks whose
 * distribution exceeds the contribution (t >= 2). There the floor of section 2 is a cliff: once
 * D_t exceeds U_t + C_t the value drops to ~eps within a change of order eps in U_t, and a sampler
 * that meets it diverges (funds from the default priors do hit it: about one in five).
 * In those weeks the coordinate is kappa_t: with mu_t + sigma_t xi_t the fund's log return
 * (mu_t = alpha + beta m_t + F sqrt(h_t) rho z_t, sigma_t = F sqrt(h_t) sqrt(1 - rho^2), without
 * the rho terms where y_t is missing), u = exp(log V_{t-1} + mu_t + sigma_t kappa_t) stands for
 * the value before the flow and
 *
 *     V_t = H(u),  H(u) = ((u - N) + sqrt((u - N)^2 + 4 theta N u)) / 2,  N = D_t - C_t,
 *
 * (floored at floor(C_t - D_t) by a logaddexp): H(u) is u - N to within theta N where the value
 * is well above the distribution (so kappa_t is xi_t up to a small shift there), but goes to 0
 * like theta u instead of falling off a cliff. xi_t follows by inverting the floor
 * (U_t = floor^-1(V_t) - C_t + D_t, r_t = log U_t - log V_{t-1}), and the density gains
 * log |d xi_t / d kappa_t|.
 *
 * kappa leaves one problem: where the distribution takes all the value (U_t < N, "wiped out";
 * about one prior-drawn four-year fund in five), log V_t = log eps + (U_t - N) / eps is
 * astronomically negative and spread over thousands, so kappa's posterior sits near -1e7 with a
 * scale near 1e5, which no adapted step reaches. The default coordinate of these weeks is
 * therefore zeta ("threshold"): with xi* = (log N - log V_{t-1} - mu_t) / sigma_t the shock at
 * which U_t = N, and d = eps / (N sigma_t) the width in shock units over which V_t goes from the
 * floor to a few eps,
 *
 *     xi_t = xi* + Y(v),  v = zeta - xi* - log d,  Y(v) = log((1 + d e^v) / (1 + d e^-v)),
 *     V_t = floor(N expm1(sigma_t Y)),
 *
 * Y is odd, smooth and increasing, has slope 2d / (1 + d) at 0 and tends to v +- log d: so zeta
 * is xi where the value survives the flow (as kappa), xi + 2 log d where it is wiped out (a unit
 * scale, and a shift that moves with log sigma_t only, where kappa's moved with 1e7 / sigma_t),
 * and on a log scale near the threshold (the few-eps band where the NAVs still see a value takes a
 * unit of zeta instead of 1e-4 of xi). V_t is computed from Y without the cancellation of U_t - N.
 * The density gains log Y'(v).
 *
 * Each map is a bijection for every value of the other coordinates, so the target is exactly
 * MODEL.md's; only the geometry near the floor changes.
 */
import { DataError } from "./errors.js";
import { compilePriors, type ModelOptions, type ParamName } from "./model-config.js";
import { type ModelData, weeksOf } from "./model-data.js";
import { type CompiledPrior, constrain, unconstrain } from "./priors.js";
import {
  dLogSoftplus,
  HALF_LOG_2PI,
  logNormalCdf,
  logSoftplus,
  normalHazardLower,
  sigmoid,
  softplus,
} from "./special.js";

/** What the sampler sees (structurally the Potential of @portal/mcmc). */
export interface Potential {
  readonly dim: number;
  /** Writes the gradient of log p(q) into `grad`; returns log p(q) (incl. log-Jacobian). */
  logDensityGradient(q: Float64Array, grad: Float64Array): number;
}

const LOG_40 = Math.log(40);

/** The floor's scale eps = 1e-6 * max(1, sum_t C_t) (MODEL.md section 2), over the window. */
export function floorEps(contributions: Float64Array): number {
  let s = 0;
  for (let i = 0; i < contributions.length; i++) s += contributions[i];
  return 1e-6 * Math.max(1, s);
}

/** NAVcast density of one fund and window. */
export class NavcastDensity implements Potential {
  readonly dim: number;
  readonly T: number;
  /** Names of the global parameters, in layout order (xi follow). */
  readonly names: readonly ParamName[];
  readonly priors: readonly CompiledPrior[];
  /** Offset of xi_1 in q. */
  readonly xiOffset: number;
  readonly eps: number;
  readonly lag: number;
  private readonly logEps: number;
  private readonly k0: number;
  private readonly cat1Prior: boolean;
  private readonly fixedAlphaC: number;
  private readonly fixedBetaCM: number;
  private readonly idx: Record<ParamName, number>;
  private readonly C: Float64Array;
  private readonly D: Float64Array;
  private readonly m: Float64Array;
  private readonly s: Float64Array;
  private readonly logS: Float64Array;
  private readonly y: Float64Array;
  private readonly navIdx: Int32Array;
  /** log N_t at the NAV weeks, in week order. */
  readonly logNav: Float64Array;
  private readonly distIdx: Int32Array;
  /** log D_t at the distribution weeks (t >= 2), in week order. */
  readonly logDist: Float64Array;
  private readonly secIdx: Int32Array;
  /** log S_t at the secondary-price weeks, in week order. */
  readonly logSec: Float64Array;
  // scratch
  private readonly x: Float64Array;
  private readonly dx: Float64Array;
  private readonly dlj: Float64Array;
  private readonly dprior: Float64Array;
  private readonly gx: Float64Array;
  private readonly e: Float64Array;
  private readonly z: Float64Array;
  private readonly U: Float64Array;
  private readonly a: Float64Array;
  /** 1 where the last forward pass took the plain week's fast path (no flow, far from the floor). */
  private readonly plain: Uint8Array;
  private readonly logV: Float64Array;
  /** log B_t, at the NAV weeks only (`navWeek`): nothing else reads it. */
  private readonly lb: Float64Array;
  /** 1 at the weeks of a GP NAV. */
  private readonly navWeek: Uint8Array;
  private readonly w1: Float64Array;
  private readonly gLV: Float64Array;
  private readonly gLB: Float64Array;
  private readonly t4 = new Float64Array(4);
  private readonly t2 = new Float64Array(2);
  /** Week i's coordinate: 0 xi, 1 kappa, 2 zeta (net distribution weeks; see the header). */
  readonly kappaWeek: Uint8Array;
  /** log floor(C_i - D_i): the lower bound of log V_i in a kappa week. */
  private readonly logLower: Float64Array;
  private readonly xiv: Float64Array;
  private readonly sig: Float64Array;
  private readonly omega: Float64Array;
  private readonly yv: Float64Array;
  private readonly xpv: Float64Array;
  private readonly dlphi: Float64Array;
  /** log(D_i - C_i) in kappa and threshold weeks. */
  private readonly logNet: Float64Array;
  /** Threshold weeks' forward values for the backward pass: Y, the two sigmoids, e^{sigma Y},
   * d log V / d W and xi*. */
  private readonly thY: Float64Array;
  private readonly thS1: Float64Array;
  private readonly thS2: Float64Array;
  private readonly thEx: Float64Array;
  private readonly thKw: Float64Array;
  private readonly thXs: Float64Array;

  constructor(
    data: ModelData,
    options: ModelOptions,
    coordinates: DensityCoordinates = { distributionWeeks: "threshold" },
  ) {
    const T = weeksOf(data);
    this.T = T;
    checkData(data, T);
    const { names, priors } = compilePriors(data, options);
    this.names = names;
    this.priors = priors;
    this.idx = {} as Record<ParamName, number>;
    names.forEach((n, i) => {
      this.idx[n] = i;
    });
    this.xiOffset = names.length;
    this.dim = names.length + T;
    this.lag = options.navLagWeeks;
    this.k0 = Math.max(this.lag, 1);
    this.cat1Prior = options.category1 === "prior";
    this.fixedAlphaC = data.alphaC;
    this.fixedBetaCM = data.betaCM;
    this.eps = floorEps(data.contributions);
    this.logEps = Math.log(this.eps);
    this.C = data.contributions;
    this.D = data.distributions;
    this.m = data.market;
    this.y = data.comparable;
    this.s = new Float64Array(T);
    this.logS = new Float64Array(T);
    for (let i = 0; i < T; i++) {
      this.s[i] = Math.sqrt(data.h[i]);
      this.logS[i] = Math.log(this.s[i]);
    }
    const nav: number[] = [];
    const dist: number[] = [];
    const sec: number[] = [];
    for (let i = 0; i < T; i++) {
      if (!Number.isNaN(data.navGp[i])) nav.push(i);
      // component 3 applies for t >= 2 (V_0 = 0)
      if (i >= 1 && data.distributions[i] > 0) dist.push(i);
      if (!Number.isNaN(data.secondary[i])) sec.push(i);
    }
    this.navIdx = Int32Array.from(nav);
    this.navWeek = new Uint8Array(T);
    for (const i of nav) this.navWeek[i] = 1;
    this.logNav = Float64Array.from(nav, (i) => Math.log(data.navGp[i]));
    this.distIdx = Int32Array.from(dist);
    this.logDist = Float64Array.from(dist, (i) => Math.log(data.distributions[i]));
    this.secIdx = Int32Array.from(sec);
    this.logSec = Float64Array.from(sec, (i) => Math.log(data.secondary[i]));
    const P = names.length;
    this.x = new Float64Array(P);
    this.dx = new Float64Array(P);
    this.dlj = new Float64Array(P);
    this.dprior = new Float64Array(P);
    this.gx = new Float64Array(P);
    this.e = new Float64Array(T);
    this.z = new Float64Array(T);
    this.U = new Float64Array(T);
    this.a = new Float64Array(T);
    this.plain = new Uint8Array(T);
    this.logV = new Float64Array(T);
    this.lb = new Float64Array(T);
    this.w1 = new Float64Array(T);
    this.gLV = new Float64Array(T);
    this.gLB = new Float64Array(T);
    this.kappaWeek = new Uint8Array(T);
    this.logLower = new Float64Array(T);
    this.logNet = new Float64Array(T);
    this.dlphi = new Float64Array(T);
    const mode = coordinates.distributionWeeks;
    for (let i = 1; i < T; i++) {
      if (mode !== "xi" && this.D[i] > this.C[i]) {
        this.kappaWeek[i] = mode === "threshold" ? THRESHOLD : KAPPA;
        this.logLower[i] = this.logEps + logSoftplus((this.C[i] - this.D[i]) / this.eps);
        this.logNet[i] = Math.log(this.D[i] - this.C[i]);
      }
    }
    this.thY = new Float64Array(T);
    this.thS1 = new Float64Array(T);
    this.thS2 = new Float64Array(T);
    this.thEx = new Float64Array(T);
    this.thKw = new Float64Array(T);
    this.thXs = new Float64Array(T);
    this.xiv = new Float64Array(T);
    this.sig = new Float64Array(T);
    this.omega = new Float64Array(T);
    this.yv = new Float64Array(T);
    this.xpv = new Float64Array(T);
  }

  /**
   * Writes into q the coordinates of the point whose shocks are xi (q's shock block holds xi on
   * entry, the parameters are q's): kappa in the kappa weeks, xi elsewhere.
   */
  coordinatesFromShocks(q: Float64Array): Float64Array {
    const saved = Uint8Array.from(this.kappaWeek);
    this.kappaWeek.fill(0);
    this.forward(q);
    this.kappaWeek.set(saved);
    const off = this.xiOffset;
    for (let i = 1; i < this.T; i++) {
      if (!this.kappaWeek[i]) continue;
      const { mu, sigma } = this.muSigma(q, i);
      if (this.kappaWeek[i] === THRESHOLD) {
        // zeta from y = xi - xi*, inverting Y(zeta) = log((1 + d e^zeta) / (1 + d e^-zeta))
        const xs = (this.logNet[i] - this.logV[i - 1] - mu) / sigma;
        const ld = this.logEps - this.logNet[i] - Math.log(sigma);
        q[off + i] = thresholdZeta(q[off + i] - xs, ld) + xs + ld;
        continue;
      }
      // invert V = H(u): u = V (1 + h) / (h + theta), h = V / N (the floor's bound is negligible)
      const h = Math.exp(this.logV[i] - this.logNet[i]);
      const g = this.logV[i] + Math.log1p((1 - THETA_H) / (h + THETA_H));
      q[off + i] = (g - this.logV[i - 1] - mu) / sigma;
    }
    return q;
  }

  /** Writes into `out` the point of q with xi in every week (the inverse of coordinatesFromShocks). */
  shocksFromCoordinates(q: Float64Array, out: Float64Array): Float64Array {
    this.forward(q);
    for (let k = 0; k < this.xiOffset; k++) out[k] = q[k];
    out.set(this.xiv, this.xiOffset);
    return out;
  }

  /**
   * Net distribution weeks (0-based) in which the value at q is wiped out (the distribution
   * exceeds it: V_t under eps log 2, the floor of a zero value).
   */
  wipedWeeks(q: Float64Array): number[] {
    this.forward(q);
    const out: number[] = [];
    const below = this.logEps + Math.log(Math.LN2);
    for (let i = 1; i < this.T; i++) if (this.D[i] > this.C[i] && this.logV[i] < below) out.push(i);
    return out;
  }

  /** mu_i and sigma_i of a week (the log return is mu_i + sigma_i xi_i). */
  private muSigma(q: Float64Array, i: number): { mu: number; sigma: number } {
    const p = this.constrainedParams(q);
    const alphaC = this.cat1Prior ? p.alpha_c : this.fixedAlphaC;
    const betaCM = this.cat1Prior ? p.beta_cM : this.fixedBetaCM;
    const sr = Math.sqrt(1 - p.rho * p.rho);
    const base = p.alpha + p.beta * this.m[i];
    if (Number.isNaN(this.y[i])) return { mu: base, sigma: p.F * this.s[i] };
    const zi = (this.y[i] - alphaC - betaCM * this.m[i]) / this.s[i];
    return { mu: base + p.F * this.s[i] * p.rho * zi, sigma: p.F * this.s[i] * sr };
  }

  /** Constrained value of every global parameter at q, by name. */
  constrainedParams(q: Float64Array): Record<string, number> {
    const out: Record<string, number> = {};
    for (let k = 0; k < this.names.length; k++) {
      const p = this.priors[k];
      constrain(p.transform, p.support, q[k], this.t4);
      out[this.names[k]] = this.t4[0];
    }
    return out;
  }

  /**
   * Writes the unconstrained values of `values` (by parameter name) into q[0..P-1]; a missing
   * name throws.
   */
  unconstrainParams(values: Record<string, number>, q: Float64Array): Float64Array {
    for (let k = 0; k < this.names.length; k++) {
      const v = values[this.names[k]];
      if (v === undefined) throw new DataError(`no value for parameter ${this.names[k]}`, {});
      const p = this.priors[k];
      q[k] = unconstrain(p.transform, p.support, v);
    }
    return q;
  }

  /** log V_t for t = 1..T at q, written into `out` (length T). */
  logValuePath(q: Float64Array, out: Float64Array): Float64Array {
    this.forward(q);
    out.set(this.logV);
    return out;
  }

  /** e_t (the fund's standardised shocks, section 2) for t = 1..T at q, into `out`. */
  shockPath(q: Float64Array, out: Float64Array): Float64Array {
    this.forward(q);
    out.set(this.e);
    return out;
  }

  /**
   * log B_t at the NAV weeks for q, into `out` (one entry per NAV, in week order). Keeps this
   * evaluation's buffers for `navLogBGradient`.
   */
  navLogB(q: Float64Array, out: Float64Array): Float64Array {
    this.forward(q);
    for (let j = 0; j < this.navIdx.length; j++) out[j] = this.lb[this.navIdx[j]];
    return out;
  }

  /**
   * Right after `navLogB(q, ...)`: the gradient w.r.t. q of sum_j seeds[j] log B at NAV j, through
   * the value and smoothing recursions only (no priors, Jacobians or observation terms).
   */
  navLogBGradient(q: Float64Array, seeds: Float64Array, grad: Float64Array): void {
    this.observedLogsGradient(q, seeds.subarray(0, this.navIdx.length), grad);
  }

  /**
   * What each observation pins on a log scale, at q, into `out`: log B_t at the NAV weeks, then
   * log V_{t-1} at the distribution weeks, then log V_t at the secondary-price weeks (each kind
   * in week order, with as many entries as logNav, logDist and logSec). Keeps this evaluation's
   * buffers for `observedLogsGradient`.
   */
  observedLogs(q: Float64Array, out: Float64Array): Float64Array {
    this.forward(q);
    const kn = this.navIdx.length;
    const kd = this.distIdx.length;
    for (let j = 0; j < kn; j++) out[j] = this.lb[this.navIdx[j]];
    for (let j = 0; j < kd; j++) out[kn + j] = this.logV[this.distIdx[j] - 1];
    for (let j = 0; j < this.secIdx.length; j++) out[kn + kd + j] = this.logV[this.secIdx[j]];
    return out;
  }

  /**
   * Right after `observedLogs(q, ...)`: the gradient w.r.t. q of sum_j seeds[j] times the j-th
   * entry of `observedLogs`, through the value and smoothing recursions only (no priors,
   * Jacobians or observation terms). Entries past the end of `seeds` count as 0 (`navLogBGradient`
   * passes the NAVs' alone).
   */
  observedLogsGradient(q: Float64Array, seeds: Float64Array, grad: Float64Array): void {
    this.gLV.fill(0);
    this.gLB.fill(0);
    this.gx.fill(0);
    const kn = this.navIdx.length;
    const kd = this.distIdx.length;
    const seed = (j: number) => (j < seeds.length ? seeds[j] : 0);
    for (let j = 0; j < kn; j++) this.gLB[this.navIdx[j]] = seed(j);
    for (let j = 0; j < kd; j++) this.gLV[this.distIdx[j] - 1] += seed(kn + j);
    for (let j = 0; j < this.secIdx.length; j++) this.gLV[this.secIdx[j]] += seed(kn + kd + j);
    this.backward(q, grad, true);
  }

  /** log p(q); fills grad with its gradient. */
  logDensityGradient(q: Float64Array, grad: Float64Array): number {
    let lp = this.forward(q);
    lp += this.observationTerms();
    this.backward(q, grad);
    return lp;
  }

  /** Priors, Jacobians, shocks and the value recursion; returns their log-density part. */
  private forward(q: Float64Array): number {
    const { names, priors, x, dx, dlj, dprior, t4, t2, T } = this;
    let lp = 0;
    for (let k = 0; k < names.length; k++) {
      const p = priors[k];
      constrain(p.transform, p.support, q[k], t4);
      x[k] = t4[0];
      dx[k] = t4[1];
      dlj[k] = t4[3];
      p.logDensity(t4[0], t2);
      dprior[k] = t2[1];
      // section 5: prior of the constrained value plus the log-Jacobian of its transform
      lp += t2[0] + t4[2];
      this.gx[k] = 0;
    }
    const id = this.idx;
    const alpha = x[id.alpha];
    const beta = x[id.beta];
    const F = x[id.F];
    const rho = x[id.rho];
    const sr = Math.sqrt(1 - rho * rho);
    const alphaC = this.cat1Prior ? x[id.alpha_c] : this.fixedAlphaC;
    const betaCM = this.cat1Prior ? x[id.beta_cM] : this.fixedBetaCM;
    const off = this.xiOffset;
    const { C, D, m, s, y, e, z, U, a, logV, eps, logEps } = this;
    const { kappaWeek, xiv, sig, omega, yv, xpv, dlphi, plain } = this;
    for (let i = 0; i < T; i++) {
      const hasY = !Number.isNaN(y[i]);
      if (hasY) {
        const zi = (y[i] - alphaC - betaCM * m[i]) / s[i];
        z[i] = zi;
        // p(y) no longer constant once alpha_c, beta_cM are parameters: log N(y; mean, sqrt(h))
        if (this.cat1Prior) lp += -0.5 * zi * zi - HALF_LOG_2PI - this.logS[i];
      } else {
        z[i] = 0;
      }
      let xi: number;
      if (kappaWeek[i] === THRESHOLD) {
        // threshold week (see the header): xi = xi* + Y(zeta), W = U - N = N expm1(sigma Y)
        const mu = alpha + beta * m[i] + (hasY ? F * s[i] * rho * z[i] : 0);
        const sg = hasY ? F * s[i] * sr : F * s[i];
        const logN = this.logNet[i];
        const xs = (logN - logV[i - 1] - mu) / sg;
        const ld = logEps - logN - Math.log(sg);
        // v = zeta - xi* - log d: zeta is xi where the value survives the flow
        const v = q[off + i] - xs - ld;
        const a1 = v + ld;
        const a2 = ld - v;
        const Y = softplus(a1) - softplus(a2);
        const s1 = sigmoid(a1);
        const s2 = sigmoid(a2);
        const em1 = Math.expm1(sg * Y);
        const aW = (Math.exp(logN) * em1) / eps;
        logV[i] = logEps + logSoftplus(aW);
        xi = xs + Y;
        sig[i] = sg;
        this.thY[i] = Y;
        this.thS1[i] = s1;
        this.thS2[i] = s2;
        this.thEx[i] = em1 + 1;
        this.thKw[i] = dLogSoftplus(aW) / eps;
        this.thXs[i] = xs;
        // log |d xi / d zeta| = log Y'(zeta)
        lp += Math.log(s1 + s2);
      } else if (kappaWeek[i]) {
        // kappa week (see the header): log V_i from kappa, then xi from inverting the floor
        const mu = alpha + beta * m[i] + (hasY ? F * s[i] * rho * z[i] : 0);
        const sg = hasY ? F * s[i] * sr : F * s[i];
        const g = logV[i - 1] + mu + sg * q[off + i];
        // log V = log H(e^g), H the smooth stand-in for U -> U - D_net (see the header)
        const lu = g - this.logNet[i];
        let lh: number;
        let phi: number;
        let uh2: number;
        if (lu > 0) {
          const v = Math.exp(-lu);
          const su = Math.sqrt((1 - v) * (1 - v) + 4 * THETA_H * v);
          const hu = (1 - v + su) / 2;
          const hp = (1 + (1 - v + 2 * THETA_H * v) / su) / 2;
          lh = g + Math.log(hu);
          phi = hp / hu;
          uh2 = (2 * THETA_H * (1 - THETA_H) * v * v) / (su * su * su * hp);
        } else if (lu > -30) {
          const u = Math.exp(lu);
          const S = Math.sqrt((u - 1) * (u - 1) + 4 * THETA_H * u);
          const h = (2 * THETA_H * u) / (S - (u - 1));
          const hp = (1 + (u - 1 + 2 * THETA_H) / S) / 2;
          lh = this.logNet[i] + Math.log(h);
          phi = (u * hp) / h;
          uh2 = (u * 2 * THETA_H * (1 - THETA_H)) / (S * S * S * hp);
        } else {
          lh = g + Math.log(THETA_H);
          phi = 1;
          uh2 = 0;
        }
        const lo = this.logLower[i];
        const L =
          lh >= lo ? lh + Math.log1p(Math.exp(lo - lh)) : lo + Math.log1p(Math.exp(lh - lo));
        logV[i] = L;
        const ly = L - logEps; // log(V / eps)
        const yy = Math.exp(ly);
        // x = floor^-1(V) = eps log(expm1(V / eps)); x'(V) = 1 / (1 - exp(-V / eps))
        const lem =
          ly > 3.4 ? yy + Math.log1p(-Math.exp(-yy)) : ly > -30 ? Math.log(Math.expm1(yy)) : ly;
        // y x'(V) and log x'(V), stable where V / eps underflows
        const yxp = ly > -30 ? -yy / Math.expm1(-yy) : 1;
        const lxp = ly > -30 ? -Math.log(-Math.expm1(-yy)) : -ly;
        const Ui = eps * lem - C[i] + D[i];
        U[i] = Ui;
        const r = Math.log(Ui) - logV[i - 1];
        xi = (r - mu) / sg;
        sig[i] = sg;
        // dL/dg = omega phi, omega = exp(lh - L) the logaddexp share; phi = d lh / dg
        omega[i] = Math.exp(lh - L) * phi;
        // d(lh + log phi)/dg = phi + d log phi / dg, d log phi / dg = 1 + u H''/H' - phi
        dlphi[i] = 1 + uh2;
        yv[i] = yy;
        xpv[i] = yxp;
        // log |d xi / d kappa| = log omega + log phi + log V - log U + log x'(V)
        lp += lh + Math.log(phi) - Math.log(Ui) + lxp;
      } else {
        xi = q[off + i];
      }
      xiv[i] = xi;
      // section 3, components 1-2 in the xi form: sum_t log N(xi_t; 0, 1)
      lp += -0.5 * xi * xi - HALF_LOG_2PI;
      e[i] = hasY ? rho * z[i] + sr * xi : xi;
      if (kappaWeek[i]) continue;
      // section 2: r_t, U_t = V_{t-1} exp(r_t), V_t = floor(U_t + C_t - D_t), in log V
      const r = alpha + beta * m[i] + F * s[i] * e[i];
      // no flow and U / eps > 40: softplus(a) = a to double precision, so log V_t = log U_t
      if (i > 0 && C[i] === 0 && D[i] === 0 && logV[i - 1] + r - logEps > LOG_40) {
        plain[i] = 1;
        logV[i] = logV[i - 1] + r;
        continue;
      }
      plain[i] = 0;
      U[i] = i === 0 ? 0 : Math.exp(logV[i - 1] + r);
      a[i] = (U[i] + C[i] - D[i]) / eps;
      logV[i] = logEps + logSoftplus(a[i]);
    }
    // section 3, component 4: B_t = lambda B_{t-1} + (1 - lambda) V_{t-L}, B_t = V_t before k0.
    // B runs in linear scale relative to e^base (a log B value, moved whenever B / e^base leaves
    // 1e+-200), so that a week costs one exp and no log; log B_t is taken at the NAV weeks only,
    // the only ones read. A week whose V_{t-L} lies beyond e^+-600 of the scale is added in logs
    // (logaddexp) and restarts the scale there. w1 is the share of the first term,
    // lambda B_{t-1} / B_t.
    const { lb, w1, lag, k0, navWeek } = this;
    const lam = x[id.lambda];
    const lam1 = 1 - lam;
    for (let i = 0; i < k0; i++) {
      lb[i] = logV[i];
      w1[i] = 0;
    }
    let base = logV[k0 - 1];
    let b = 1;
    for (let i = k0; i < T; i++) {
      const d = logV[i - lag] - base;
      if (d > 600 || d < -600) {
        const p1 = Math.log(lam) + base + Math.log(b);
        const p2 = Math.log1p(-lam) + logV[i - lag];
        const ex = Math.exp(-Math.abs(p1 - p2));
        w1[i] = p1 >= p2 ? 1 / (1 + ex) : ex / (1 + ex);
        base = Math.max(p1, p2) + Math.log1p(ex);
        b = 1;
      } else {
        const first = lam * b;
        b = first + lam1 * Math.exp(d);
        w1[i] = first / b;
      }
      if (navWeek[i]) lb[i] = base + Math.log(b);
      if (b > 1e200 || b < 1e-200) {
        base += Math.log(b);
        b = 1;
      }
    }
    return lp;
  }

  /** Components 3-5 (distributions, GP NAVs, secondary prices); seeds gLV, gLB and gx. */
  private observationTerms(): number {
    const { x, gx, logV, lb, gLV, gLB } = this;
    const id = this.idx;
    gLV.fill(0);
    gLB.fill(0);
    let lp = 0;
    // component 4: N_t ~ TruncatedNormal(B_t, sigma_n B_t, lower 0)
    const sn = x[id.sigma_n];
    const inv = 1 / sn;
    const logSn = Math.log(sn);
    const logPhiInv = logNormalCdf(inv);
    const hz = normalHazardLower(inv);
    let gSn = 0;
    for (let j = 0; j < this.navIdx.length; j++) {
      const i = this.navIdx[j];
      const zz = (Math.exp(this.logNav[j] - lb[i]) - 1) * inv;
      lp += -0.5 * zz * zz - HALF_LOG_2PI - logSn - lb[i] - logPhiInv;
      gLB[i] += zz * (zz + inv) - 1;
      gSn += zz * zz * inv - inv + hz * inv * inv;
    }
    gx[id.sigma_n] += gSn;
    // component 3: log D_t ~ Normal(log delta + log V_{t-1}, sigma_d), t >= 2
    const logDelta = x[id.log_delta];
    const sd = x[id.sigma_d];
    const logSd = Math.log(sd);
    let gLd = 0;
    let gSd = 0;
    for (let j = 0; j < this.distIdx.length; j++) {
      const i = this.distIdx[j];
      const res = (this.logDist[j] - logDelta - logV[i - 1]) / sd;
      lp += -0.5 * res * res - HALF_LOG_2PI - logSd;
      gLV[i - 1] += res / sd;
      gLd += res / sd;
      gSd += (res * res - 1) / sd;
    }
    gx[id.log_delta] += gLd;
    gx[id.sigma_d] += gSd;
    // component 5: log S_t ~ Normal(log V_t, sigma_s)
    if (this.secIdx.length > 0) {
      const ss = x[id.sigma_s];
      const logSs = Math.log(ss);
      let gSs = 0;
      for (let j = 0; j < this.secIdx.length; j++) {
        const i = this.secIdx[j];
        const res = (this.logSec[j] - logV[i]) / ss;
        lp += -0.5 * res * res - HALF_LOG_2PI - logSs;
        gLV[i] += res / ss;
        gSs += (res * res - 1) / ss;
      }
      gx[id.sigma_s] += gSs;
    }
    return lp;
  }

  /**
   * Reverse sweep through the B and V recursions, then the chain rule to q; `pathOnly` leaves out
   * the shocks' prior and the parameters' priors and log-Jacobians.
   */
  private backward(q: Float64Array, grad: Float64Array, pathOnly = false): void {
    const { x, gx, dx, dlj, dprior, T, lag, k0, w1, gLB, gLV, U, a, eps, m, s, e, z } = this;
    const id = this.idx;
    const lam = x[id.lambda];
    const F = x[id.F];
    const rho = x[id.rho];
    const sr = Math.sqrt(1 - rho * rho);
    const off = this.xiOffset;
    let gLam = 0;
    let gAlpha = 0;
    let gBeta = 0;
    let gF = 0;
    let gRho = 0;
    let gAc = 0;
    let gBc = 0;
    for (let i = T - 1; i >= 0; i--) {
      const g = gLB[i];
      if (i >= k0) {
        const w = w1[i];
        gLB[i - 1] += g * w;
        gLV[i - lag] += g * (1 - w);
        gLam += g * (w / lam - (1 - w) / (1 - lam));
      } else {
        gLV[i] += g;
      }
      // gLV[i] is complete here: every term using log V_i sits at an index >= i
      if (this.kappaWeek[i]) {
        // the week's local terms give the adjoints of mu_i and sigma_i (and of its coordinate)
        let gMu = 0;
        let gSg = 0;
        if (this.kappaWeek[i] === THRESHOLD) {
          // Y = Y(v, log d) with v = zeta - xi* - log d, so log V_i depends on log V_{i-1}, mu_i and
          // sigma_i through xi* and log d as well as on zeta
          const sg = this.sig[i];
          const xi = this.xiv[i];
          const Y = this.thY[i];
          const s1 = this.thS1[i];
          const s2 = this.thS2[i];
          const N = Math.exp(this.logNet[i]);
          const gW = gLV[i] * this.thKw[i];
          // Y = Y(v, log d), v = zeta - xi* - log d; xi = xi* + Y
          let gY = gW * N * sg * this.thEx[i];
          gSg = gW * N * Y * this.thEx[i];
          let gXs = 0;
          if (!pathOnly) {
            gY -= xi;
            gXs -= xi;
          }
          let gV = gY * (s1 + s2);
          let gLd = gY * (s1 - s2);
          if (!pathOnly) {
            // log Y'(v) = log(sigmoid(v + log d) + sigmoid(log d - v))
            const v1 = s1 * (1 - s1);
            const v2 = s2 * (1 - s2);
            gV += (v1 - v2) / (s1 + s2);
            gLd += (v1 + v2) / (s1 + s2);
          }
          grad[off + i] = gV;
          gXs -= gV;
          gLd -= gV;
          // xi* = (log N - log V_{i-1} - mu) / sigma, log d = log eps - log N - log sigma
          gLV[i - 1] -= gXs / sg;
          gMu = -gXs / sg;
          gSg -= (gXs * this.thXs[i]) / sg + gLd / sg;
        } else {
          // kappa week: local terms l = -xi^2 / 2 + g - log U + log x'(V) (dropped when pathOnly),
          // L = log V_i = logaddexp(lower, g), g = log V_{i-1} + mu + sigma kappa
          const sg = this.sig[i];
          const xi = this.xiv[i];
          const yy = this.yv[i];
          const yxp = this.xpv[i];
          const kU = (eps * yxp) / U[i]; // d log U / d L
          let gL = gLV[i];
          let gG = 0;
          let gLp = 0;
          if (!pathOnly) {
            gL += -xi * (kU / sg) - kU - (yxp - yy);
            gLp += xi / sg;
            gMu += xi / sg;
            gSg += (xi * xi) / sg;
            gG += this.dlphi[i];
          }
          gG += gL * this.omega[i];
          gLp += gG;
          gMu += gG;
          gSg += gG * q[off + i];
          gLV[i - 1] += gLp;
          grad[off + i] = gG * sg;
        }
        // mu_i = alpha + beta m_i (+ F s_i rho z_i), sigma_i = F s_i (sqrt(1 - rho^2))
        gAlpha += gMu;
        gBeta += gMu * m[i];
        if (!Number.isNaN(this.y[i])) {
          gF += gMu * s[i] * rho * z[i] + gSg * s[i] * sr;
          gRho += gMu * F * s[i] * z[i] - gSg * F * s[i] * (rho / sr);
          if (this.cat1Prior) {
            const gz = gMu * F * s[i] * rho - (pathOnly ? 0 : z[i]);
            gAc -= gz / s[i];
            gBc -= (gz * m[i]) / s[i];
          }
        } else {
          gF += gSg * s[i];
        }
        continue;
      }
      let gR = 0;
      if (this.plain[i]) {
        // the fast path: log V_i = log V_{i-1} + r_i
        gR = gLV[i];
        gLV[i - 1] += gR;
      } else if (i > 0) {
        gR = ((gLV[i] * dLogSoftplus(a[i])) / eps) * U[i];
        gLV[i - 1] += gR;
      }
      gAlpha += gR;
      gBeta += gR * m[i];
      gF += gR * s[i] * e[i];
      const gE = gR * F * s[i];
      const xi = q[off + i];
      let gXi: number;
      if (!Number.isNaN(this.y[i])) {
        gRho += gE * (z[i] - (rho / sr) * xi);
        gXi = gE * sr;
        if (this.cat1Prior) {
          // -z_i: p(y)'s own term, not part of the path
          const gz = pathOnly ? gE * rho : gE * rho - z[i];
          gAc -= gz / s[i];
          gBc -= (gz * m[i]) / s[i];
        }
      } else {
        gXi = gE;
      }
      grad[off + i] = pathOnly ? gXi : gXi - xi;
    }
    gx[id.lambda] += gLam;
    gx[id.alpha] += gAlpha;
    gx[id.beta] += gBeta;
    gx[id.F] += gF;
    gx[id.rho] += gRho;
    if (this.cat1Prior) {
      gx[id.alpha_c] += gAc;
      gx[id.beta_cM] += gBc;
    }
    for (let k = 0; k < this.names.length; k++) {
      grad[k] = pathOnly ? gx[k] * dx[k] : (gx[k] + dprior[k]) * dx[k] + dlj[k];
    }
  }
}

function checkData(d: ModelData, T: number): void {
  const arrays = {
    distributions: d.distributions,
    nav_gp: d.navGp,
    secondary: d.secondary,
    market_log_return: d.market,
    comparable_log_return: d.comparable,
    h: d.h,
  };
  for (const [k, v] of Object.entries(arrays)) {
    if (v.length !== T) {
      throw new DataError(`${k} has ${v.length} weeks, contributions ${T}`, { field: k });
    }
  }
  if (T === 0) throw new DataError("the window has no weeks", {});
  for (let i = 0; i < T; i++) {
    const bad = (field: string, msg: string) => {
      throw new DataError(`${field} at week ${i + 1} ${msg}`, { field, week: i + 1 });
    };
    if (!(d.contributions[i] >= 0)) bad("contributions", "must be >= 0");
    if (!(d.distributions[i] >= 0)) bad("distributions", "must be >= 0");
    if (!Number.isNaN(d.navGp[i]) && !(d.navGp[i] > 0)) bad("nav_gp", "must be > 0 or missing");
    if (!Number.isNaN(d.secondary[i]) && !(d.secondary[i] > 0))
      bad("secondary", "must be > 0 or missing");
    if (!Number.isFinite(d.market[i])) bad("market_log_return", "must be a finite number");
    if (!(d.h[i] > 0 && Number.isFinite(d.h[i]))) bad("h", "must be a positive number");
  }
}

/** How the shocks are presented (the target is the same): see the header. */
export interface DensityCoordinates {
  /**
   * The coordinate of net distribution weeks: "threshold" (zeta), "log_value" (kappa) or "xi"
   * (default "threshold").
   */
  distributionWeeks: "threshold" | "log_value" | "xi";
}

/** Width of H's bend in kappa weeks, relative to the net distribution (see the header). */
const THETA_H = 0.01;
/** kappaWeek codes. */
const KAPPA = 1;
const THRESHOLD = 2;

/**
 * The zeta of a threshold week whose xi - xi* is y, with log d = ld: the inverse of
 * Y(zeta) = log((1 + d e^zeta) / (1 + d e^-zeta)), from the quadratic in v = e^zeta,
 * d v^2 + (1 - e^y) v - d e^y = 0, written without cancellation on either side of y = 0.
 */
export function thresholdZeta(y: number, ld: number): number {
  const d = Math.exp(ld);
  if (y > 0) {
    const logA = y + Math.log(-Math.expm1(-y)); // log(e^y - 1)
    const em = Math.exp(-y);
    const r = (4 * d * d * em) / ((1 - em) * (1 - em)); // 4 d^2 e^y / (e^y - 1)^2
    return logA + Math.log((1 + Math.sqrt(1 + r)) / 2) - ld;
  }
  const B = -Math.expm1(y);
  return Math.log(2 * d) + y - Math.log(B + Math.sqrt(B * B + 4 * d * d * Math.exp(y)));
}

/** Builds the density of `data` under `options`. */
export function createDensity(
  data: ModelData,
  options: ModelOptions,
  coordinates?: DensityCoordinates,
): NavcastDensity {
  return new NavcastDensity(data, options, coordinates);
}
