/**
 * Conditional whitening of the shocks (MODEL.md section 11; issue 9): the sampler sees the shocks
 * through a map that depends on the global parameters, built so that in the linear-Gaussian
 * approximation of the NAV terms the shocks' conditional posterior given the parameters becomes
 * N(0, I) for every sigma_n and F. That removes the funnel between sigma_n (and F) and the few
 * directions each NAV pins down, which a fixed metric cannot follow.
 *
 * Linearising log B at the NAV weeks in the shocks gives a K x T sensitivity matrix, which is
 * (F sqrt(1 - rho^2)) A0 with A0 measured once at a reference point (the data-based starting
 * point). With whitened NAV noise sigma_n, A = c A0, c = F sqrt(1 - rho^2) / sigma_n, and
 * A0 = U diag(s) V' (thin SVD), the approximate conditional posterior of xi given the parameters
 * is N(mu, S^2) with
 *
 *     S  = I + V diag(d - 1) V',                      d_i = (1 + c^2 s_i^2)^(-1/2)
 *     mu = V [ (1 - d^2) o V' xi0 + c s o d^2 o U' r / sigma_n ],  r = log N - log B(params, xi0)
 *
 * where the linearisation is around the reference shocks xi0 (which make V follow the NAVs), so
 * that the residual r stays small and away from the floor for parameters near the data.
 * The sampler's coordinates are u with xi = mu(params) + S(params) u. For every value of the
 * parameters this is an affine bijection, and log|det S| = sum_i log d_i is added to the density:
 * the target is exactly MODEL.md's; the approximation only shapes the geometry.
 */
import { symmetricEigen } from "@portal/mcmc";
import type { NavcastDensity, Potential } from "./density.js";
import { constrain } from "./priors.js";

/** The whitened view of a density: the Potential the sampler gets, and the maps between spaces. */
export interface WhitenedPotential extends Potential {
  /** Sampler coordinates q = [params, u] to model coordinates x = [params, xi]. */
  toModel(q: Float64Array, x: Float64Array): void;
  /** Model coordinates to sampler coordinates (the inverse of toModel). */
  toSampler(x: Float64Array, q: Float64Array): void;
  /** Number of whitened directions (NAVs with a non-degenerate sensitivity). */
  readonly rank: number;
}

/**
 * Builds the whitened potential of `density`. `baseline` is a second density of the same data
 * and options (it keeps the buffers of the xi = 0 evaluation between the forward and reverse
 * passes); `reference` a model-space point where the sensitivities are measured.
 */
export function createWhitenedPotential(
  density: NavcastDensity,
  baseline: NavcastDensity,
  reference: Float64Array,
): WhitenedPotential {
  const dim = density.dim;
  const P = density.xiOffset;
  const T = density.T;
  const K = density.logNav.length;
  const idx = (n: string) => {
    const k = density.names.indexOf(n as never);
    if (k < 0) throw new Error(`the density has no parameter ${n}`);
    return k;
  };
  const iF = idx("F");
  const iRho = idx("rho");
  const iSn = idx("sigma_n");
  const t4 = new Float64Array(4);
  const val = (k: number, qk: number): [number, number] => {
    const p = density.priors[k];
    constrain(p.transform, p.support, qk, t4);
    return [t4[0], t4[1]];
  };

  const xi0 = reference.subarray(P, P + T);
  // sensitivities of log B at the NAV weeks to xi at the reference, per unit of F sqrt(1 - rho^2)
  const [F0] = val(iF, reference[iF]);
  const [rho0] = val(iRho, reference[iRho]);
  const scale0 = F0 * Math.sqrt(1 - rho0 * rho0);
  const a0 = new Float64Array(K * T);
  {
    const lb = new Float64Array(K);
    const seeds = new Float64Array(K);
    const g = new Float64Array(dim);
    for (let k = 0; k < K; k++) {
      baseline.navLogB(reference, lb);
      seeds.fill(0);
      seeds[k] = 1;
      baseline.navLogBGradient(reference, seeds, g);
      for (let t = 0; t < T; t++) a0[k * T + t] = g[P + t] / scale0;
    }
  }
  // thin SVD through the eigen-decomposition of A0 A0' (K x K)
  const gram = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let t = 0; t < T; t++) sum += a0[i * T + t] * a0[j * T + t];
      gram[i * K + j] = sum;
      gram[j * K + i] = sum;
    }
  }
  const eig = K > 0 ? symmetricEigen(gram, K) : { values: new Float64Array(0), vectors: gram };
  const maxEig = eig.values.reduce((m, v) => Math.max(m, v), 0);
  const keep: number[] = [];
  for (let i = 0; i < K; i++) if (eig.values[i] > 1e-12 * maxEig && eig.values[i] > 0) keep.push(i);
  const R = keep.length;
  const s = new Float64Array(R);
  const Ut = new Float64Array(R * K); // rows: left singular vectors
  const Vt = new Float64Array(R * T); // rows: right singular vectors
  const eta = new Float64Array(R); // V' xi0
  keep.forEach((e, i) => {
    s[i] = Math.sqrt(eig.values[e]);
    for (let k = 0; k < K; k++) Ut[i * K + k] = eig.vectors[k * K + e];
    for (let t = 0; t < T; t++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += a0[k * T + t] * Ut[i * K + k];
      Vt[i * T + t] = sum / s[i];
    }
    let e0 = 0;
    for (let t = 0; t < T; t++) e0 += Vt[i * T + t] * xi0[t];
    eta[i] = e0;
  });

  // scratch
  const xb = new Float64Array(dim);
  const lb = new Float64Array(K);
  const rt = new Float64Array(R); // U' r
  const d = new Float64Array(R);
  const kap = new Float64Array(R); // c s_i d_i^2
  const mu = new Float64Array(R); // V' mu
  const w = new Float64Array(R); // V' u
  const gam = new Float64Array(R); // V' g_xi
  const seeds = new Float64Array(K);
  const gb = new Float64Array(dim);
  const x = new Float64Array(dim);
  const gx = new Float64Array(dim);

  /** The parameter-dependent pieces at q's parameters (d, kappa, U' r, V' mu) and d log c / dq. */
  const prepare = (q: Float64Array) => {
    const [F, dF] = val(iF, q[iF]);
    const [rho, dRho] = val(iRho, q[iRho]);
    const [sn, dSn] = val(iSn, q[iSn]);
    const c = (F * Math.sqrt(1 - rho * rho)) / sn;
    for (let i = 0; i < P; i++) xb[i] = q[i];
    xb.set(xi0, P);
    baseline.navLogB(xb, lb);
    for (let i = 0; i < R; i++) {
      const cs2 = c * c * s[i] * s[i];
      d[i] = 1 / Math.sqrt(1 + cs2);
      kap[i] = (c * s[i]) / (1 + cs2);
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Ut[i * K + k] * (density.logNav[k] - lb[k]);
      rt[i] = sum;
      mu[i] = (1 - d[i] * d[i]) * eta[i] + (kap[i] * rt[i]) / sn;
    }
    // d log c / dq for F, rho and sigma_n
    return { c, sn, dlcF: dF / F, dlcRho: (-rho / (1 - rho * rho)) * dRho, dlcSn: -dSn / sn };
  };

  /** x = [params, mu + S u] from q, with the pieces `prepare` left for q's parameters. */
  const fill = (q: Float64Array, out: Float64Array) => {
    for (let i = 0; i < P; i++) out[i] = q[i];
    for (let t = 0; t < T; t++) out[P + t] = q[P + t];
    for (let i = 0; i < R; i++) {
      let sum = 0;
      for (let t = 0; t < T; t++) sum += Vt[i * T + t] * q[P + t];
      w[i] = sum;
      const coef = (d[i] - 1) * sum + mu[i];
      for (let t = 0; t < T; t++) out[P + t] += coef * Vt[i * T + t];
    }
  };

  return {
    dim,
    rank: R,
    toModel(q, out) {
      prepare(q);
      fill(q, out);
    },
    toSampler(xm, q) {
      prepare(xm);
      // u = S^-1 (xi - mu), S^-1 = I + V diag(1/d - 1) V'
      for (let i = 0; i < P; i++) q[i] = xm[i];
      for (let t = 0; t < T; t++) q[P + t] = xm[P + t];
      for (let i = 0; i < R; i++) {
        let sum = 0;
        for (let t = 0; t < T; t++) sum += Vt[i * T + t] * xm[P + t];
        const coef = (1 / d[i] - 1) * (sum - mu[i]) - mu[i];
        for (let t = 0; t < T; t++) q[P + t] += coef * Vt[i * T + t];
      }
    },
    logDensityGradient(q, g) {
      const { c, sn, dlcF, dlcRho, dlcSn } = prepare(q);
      fill(q, x);
      let lp = density.logDensityGradient(x, gx);
      let gLogC = 0;
      let gLogInvSn = 0; // mu's r-term is proportional to 1 / sigma_n
      for (let i = 0; i < R; i++) {
        let sum = 0;
        for (let t = 0; t < T; t++) sum += Vt[i * T + t] * gx[P + t];
        gam[i] = sum;
        const cs2 = c * c * s[i] * s[i];
        const d2 = d[i] * d[i];
        // log|det S| = sum log d_i, d log d_i / d log c = -c^2 s^2 d^2
        lp += Math.log(d[i]);
        gLogC -= cs2 * d2;
        // S u: d d_i / d log c = -c^2 s^2 d^3
        gLogC -= gam[i] * w[i] * cs2 * d2 * d[i];
        // mu: d(1 - d^2)/d log c = 2 c^2 s^2 d^4, d kappa / d log c = kappa (1 - c^2 s^2) d^2
        const rTerm = (gam[i] * kap[i] * rt[i]) / sn;
        gLogC += gam[i] * eta[i] * 2 * cs2 * d2 * d2 + rTerm * (1 - cs2) * d2;
        gLogInvSn += rTerm;
      }
      // g_u = S g_xi
      for (let i = 0; i < P; i++) g[i] = gx[i];
      for (let t = 0; t < T; t++) g[P + t] = gx[P + t];
      for (let i = 0; i < R; i++) {
        const coef = (d[i] - 1) * gam[i];
        for (let t = 0; t < T; t++) g[P + t] += coef * Vt[i * T + t];
      }
      // mu through r = log N - log B(params, xi0): seeds on log B are -U (gamma o kappa) / sigma_n
      for (let k = 0; k < K; k++) {
        let sum = 0;
        for (let i = 0; i < R; i++) sum += Ut[i * K + k] * gam[i] * kap[i];
        seeds[k] = -sum / sn;
      }
      baseline.navLogBGradient(xb, seeds, gb);
      for (let i = 0; i < P; i++) g[i] += gb[i];
      g[iF] += gLogC * dlcF;
      g[iRho] += gLogC * dlcRho;
      // log(1 / sigma_n) = -log sigma_n, and d log c / dq has the same -1 / sigma_n factor
      g[iSn] += (gLogC + gLogInvSn) * dlcSn;
      return lp;
    },
  };
}
