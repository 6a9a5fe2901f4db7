/**
 * Conditional whitening of the shocks (MODEL.md section 11; issue 9): the sampler sees the shocks
 * through a map that depends on the global parameters, built so that in the linear-Gaussian
 * approximation of the NAV terms the shocks' conditional posterior given the parameters becomes
 * N(0, I) for every sigma_n and F. That removes the funnel between sigma_n (and F) and the few
 * directions each NAV pins down, which a fixed metric cannot follow.
 *
 * Linearising log B at the NAV weeks in the shocks gives a K x T sensitivity matrix, which is
 * (F sqrt(1 - rho^2)) A0 with A0 measured once at a reference point (the data-based starting
 * point). With whitened NAV noise sigma_n, c = F sqrt(1 - rho^2) / sigma_n and the thin SVD
 * A0 = U diag(s) V', the linearised conditional posterior of the shocks has precision
 * I + c^2 V diag(s^2) V': unit scale outside span(V), scale d_i = (1 + c^2 s_i^2)^(-1/2) along V.
 *
 * The sampler's coordinates are u, split into the complement a = (I - V V') u and w = V' u, with
 *
 *     xi = a + V (d o w + m(params, a))
 *
 * where m is the conditional mode of V' xi given the parameters and a, found by chord iterations
 * with the fixed sensitivities (`iterations` of them, from m_0 = V' xi0):
 *
 *     m_{j+1} = (1 - d^2) o m_j + c s o d^2 o U' r_j / sigma_n,   r_j = log N - log B(params, a + V m_j)
 *
 * One iteration is Gauss-Newton around the reference; more follow the curvature of log B (whose
 * error relative to sigma_n grows as sigma_n shrinks) and the parameters that move the smoothing
 * kernel (lambda), which the fixed A0 does not see. Since m does not depend on w, the map is a
 * bijection for every value of the parameters with log|det dxi/du| = sum_i log d_i, which is added
 * to the density: the target is exactly MODEL.md's; the approximation only shapes the geometry.
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
 * Builds the whitened potential of `density`. `makeBaseline` makes further densities of the same
 * data and options (one per chord iteration, each keeping its buffers between the forward and
 * reverse passes); `reference` is a model-space point where the sensitivities are measured;
 * `iterations` the number of chord iterations for the mean.
 */
export function createWhitenedPotential(
  density: NavcastDensity,
  makeBaseline: () => NavcastDensity,
  reference: Float64Array,
  iterations = 1,
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

  // one density per chord iteration: each keeps its forward buffers for the reverse pass
  const baselines = Array.from({ length: Math.max(1, iterations) }, makeBaseline);
  const baseline = baselines[0];
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
  // The thin SVD A0 = U diag(s) V' with V = Q' W: Q's rows an orthonormal basis of A0's row space
  // by Gram-Schmidt in the order of the NAV weeks, so that row i is zero after the week of the
  // i-th NAV (a NAV does not depend on later shocks) and products with Q cost about half of dense
  // ones; W the eigenvectors of the small R x R Gram matrix of A0 Q'.
  const basis = orthonormalRows(a0, K, T);
  const R = basis.rank;
  const Qt = basis.rows;
  const len = basis.lengths;
  const B = new Float64Array(K * R); // A0 Q'
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < R; i++) {
      let sum = 0;
      for (let t = 0; t < len[i]; t++) sum += a0[k * T + t] * Qt[i * T + t];
      B[k * R + i] = sum;
    }
  }
  const gram = new Float64Array(R * R);
  for (let i = 0; i < R; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += B[k * R + i] * B[k * R + j];
      gram[i * R + j] = sum;
      gram[j * R + i] = sum;
    }
  }
  const eig = R > 0 ? symmetricEigen(gram, R) : { values: new Float64Array(0), vectors: gram };
  const W = eig.vectors; // R x R, column e an eigenvector
  const s = new Float64Array(R);
  const Ut = new Float64Array(R * K); // rows: left singular vectors
  for (let e = 0; e < R; e++) {
    s[e] = Math.sqrt(Math.max(0, eig.values[e]));
    if (s[e] === 0) continue; // a direction no NAV sees: d = 1 and no pull on it
    for (let k = 0; k < K; k++) {
      let sum = 0;
      for (let i = 0; i < R; i++) sum += B[k * R + i] * W[i * R + e];
      Ut[e * K + k] = sum / s[e];
    }
  }
  const tmp = new Float64Array(R);
  /** out = V' v for the path of v (at offset P). */
  const proj = (v: Float64Array, out: Float64Array) => {
    for (let i = 0; i < R; i++) {
      let sum = 0;
      const row = i * T;
      for (let t = 0; t < len[i]; t++) sum += Qt[row + t] * v[P + t];
      tmp[i] = sum;
    }
    for (let e = 0; e < R; e++) {
      let sum = 0;
      for (let i = 0; i < R; i++) sum += W[i * R + e] * tmp[i];
      out[e] = sum;
    }
  };
  /** The path of v (at offset P) += V c. */
  const synth = (v: Float64Array, c: Float64Array) => {
    for (let i = 0; i < R; i++) {
      let sum = 0;
      for (let e = 0; e < R; e++) sum += W[i * R + e] * c[e];
      const row = i * T;
      for (let t = 0; t < len[i]; t++) v[P + t] += sum * Qt[row + t];
    }
  };
  const eta = new Float64Array(R); // V' xi0
  proj(reference, eta);

  // scratch
  const J = Math.max(1, iterations);
  const xs = Array.from({ length: J }, () => new Float64Array(dim)); // the iterations' points
  const lb = new Float64Array(K);
  const rts = new Float64Array(J * R); // U' r at each iteration
  const etas = new Float64Array((J + 1) * R); // V' xi along the iterations; row J is m
  const d = new Float64Array(R);
  const kap = new Float64Array(R); // c s_i d_i^2
  const w = new Float64Array(R); // V' u
  const v = new Float64Array(R); // V' xi (toSampler)
  const gam = new Float64Array(R); // V' g_xi
  const gbar = new Float64Array(R); // adjoint of the iterate
  const pg = new Float64Array(R); // V' of one iteration's path gradient
  const pgSum = new Float64Array(R);
  const coef = new Float64Array(R);
  const seeds = new Float64Array(K);
  const gb = new Float64Array(dim);
  const x = new Float64Array(dim);
  const gx = new Float64Array(dim);

  /**
   * The parameter-dependent pieces at the parameters of `q`: d, kappa, and the chord iterations
   * m_{j+1} = (1 - d^2) m_j + kappa U' r(params, a + V m_j) / sigma_n from m_0 = V' xi0, which
   * converge to the conditional mode of V' xi in the linearised NAV terms (to the exact mode as
   * sigma_n -> 0, whatever the error of the fixed sensitivities). The complement a is given as
   * base - V baseW for a path `base` (at offset P) with V' base = baseW.
   */
  const prepare = (q: Float64Array, base: Float64Array, baseW: Float64Array) => {
    const [F, dF] = val(iF, q[iF]);
    const [rho, dRho] = val(iRho, q[iRho]);
    const [sn, dSn] = val(iSn, q[iSn]);
    const c = (F * Math.sqrt(1 - rho * rho)) / sn;
    for (let i = 0; i < R; i++) {
      const cs2 = c * c * s[i] * s[i];
      d[i] = 1 / Math.sqrt(1 + cs2);
      kap[i] = (c * s[i]) / (1 + cs2);
    }
    etas.set(eta, 0);
    for (let j = 0; j < J; j++) {
      const xj = xs[j];
      for (let k = 0; k < P; k++) xj[k] = q[k];
      for (let t = 0; t < T; t++) xj[P + t] = base[P + t];
      for (let i = 0; i < R; i++) coef[i] = etas[j * R + i] - baseW[i];
      synth(xj, coef);
      baselines[j].navLogB(xj, lb);
      for (let i = 0; i < R; i++) {
        let sum = 0;
        for (let k = 0; k < K; k++) sum += Ut[i * K + k] * (density.logNav[k] - lb[k]);
        rts[j * R + i] = sum;
        etas[(j + 1) * R + i] = (1 - d[i] * d[i]) * etas[j * R + i] + (kap[i] * sum) / sn;
      }
    }
    // d log c / dq for F, rho and sigma_n
    return { c, sn, dlcF: dF / F, dlcRho: (-rho / (1 - rho * rho)) * dRho, dlcSn: -dSn / sn };
  };

  /** x = [params, a + V (d o w + m)] = [params, u + V (d o w + m - w)] from q = [params, u]. */
  const toModel = (q: Float64Array, out: Float64Array) => {
    proj(q, w);
    const c = prepare(q, q, w);
    out.set(q);
    for (let i = 0; i < R; i++) coef[i] = d[i] * w[i] + etas[J * R + i] - w[i];
    synth(out, coef);
    return c;
  };

  return {
    dim,
    rank: R,
    toModel,
    toSampler(xm, q) {
      // u = a + V w with a = xi - V v the complement of xi, v = V' xi, and w = (v - m) / d
      proj(xm, v);
      prepare(xm, xm, v);
      q.set(xm);
      for (let i = 0; i < R; i++) coef[i] = (v[i] - etas[J * R + i]) / d[i] - v[i];
      synth(q, coef);
    },
    logDensityGradient(q, g) {
      const { c, sn, dlcF, dlcRho, dlcSn } = toModel(q, x);
      let lp = density.logDensityGradient(x, gx);
      proj(gx, gam);
      // g_a accumulates in g's path: the model gradient, then each iteration's path gradient
      g.set(gx);
      let gLogC = 0;
      let gLogInvSn = 0; // the iterations' r-terms are proportional to 1 / sigma_n
      for (let i = 0; i < R; i++) {
        const cs2 = c * c * s[i] * s[i];
        const d2 = d[i] * d[i];
        // log|det dx/dq| = sum log d_i, d log d_i / d log c = -c^2 s^2 d^2
        lp += Math.log(d[i]);
        gLogC -= cs2 * d2;
        // d o w: d d_i / d log c = -c^2 s^2 d^3
        gLogC -= gam[i] * w[i] * cs2 * d2 * d[i];
        gbar[i] = gam[i];
        pgSum[i] = 0;
      }
      // reverse through the chord iterations
      for (let j = J - 1; j >= 0; j--) {
        for (let i = 0; i < R; i++) {
          const cs2 = c * c * s[i] * s[i];
          const d2 = d[i] * d[i];
          // d(1 - d^2)/d log c = 2 c^2 s^2 d^4, d kappa / d log c = kappa (1 - c^2 s^2) d^2
          const rTerm = (gbar[i] * kap[i] * rts[j * R + i]) / sn;
          gLogC += gbar[i] * etas[j * R + i] * 2 * cs2 * d2 * d2 + rTerm * (1 - cs2) * d2;
          gLogInvSn += rTerm;
        }
        // r = log N - log B(params, a + V m_j): seeds on log B are -U (gbar o kappa) / sigma_n
        for (let k = 0; k < K; k++) {
          let sum = 0;
          for (let i = 0; i < R; i++) sum += Ut[i * K + k] * gbar[i] * kap[i];
          seeds[k] = -sum / sn;
        }
        baselines[j].navLogBGradient(xs[j], seeds, gb);
        for (let k = 0; k < dim; k++) g[k] += gb[k];
        proj(gb, pg);
        for (let i = 0; i < R; i++) {
          pgSum[i] += pg[i];
          gbar[i] = (1 - d[i] * d[i]) * gbar[i] + pg[i];
        }
      }
      // g_u = (I - V V') g_a + V (d o gamma), with V' g_a = gamma + sum_j V' g_j
      for (let i = 0; i < R; i++) coef[i] = d[i] * gam[i] - gam[i] - pgSum[i];
      synth(g, coef);
      g[iF] += gLogC * dlcF;
      g[iRho] += gLogC * dlcRho;
      // log(1 / sigma_n) = -log sigma_n, and d log c / dq has the same -1 / sigma_n factor
      g[iSn] += (gLogC + gLogInvSn) * dlcSn;
      return lp;
    },
  };
}

/**
 * Orthonormal rows spanning the rows of the K x T matrix `a` (modified Gram-Schmidt, twice, in
 * the order of each row's last non-zero entry), each with the length of its support; rows that
 * add less than 1e-7 of their norm to the span are dropped.
 */
function orthonormalRows(a: Float64Array, K: number, T: number) {
  const ends = Array.from({ length: K }, (_, k) => {
    let e = 0;
    for (let t = 0; t < T; t++) if (a[k * T + t] !== 0) e = t + 1;
    return e;
  });
  const order = ends.map((_, k) => k).sort((i, j) => ends[i] - ends[j] || i - j);
  const rows = new Float64Array(K * T);
  const lengths: number[] = [];
  const r = new Float64Array(T);
  for (const k of order) {
    const n = ends[k];
    let norm0 = 0;
    for (let t = 0; t < n; t++) {
      r[t] = a[k * T + t];
      norm0 += r[t] * r[t];
    }
    if (norm0 === 0) continue;
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < lengths.length; i++) {
        let dot = 0;
        for (let t = 0; t < lengths[i]; t++) dot += rows[i * T + t] * r[t];
        for (let t = 0; t < lengths[i]; t++) r[t] -= dot * rows[i * T + t];
      }
    }
    let norm = 0;
    for (let t = 0; t < n; t++) norm += r[t] * r[t];
    if (norm <= 1e-14 * norm0) continue;
    const inv = 1 / Math.sqrt(norm);
    const i = lengths.length;
    for (let t = 0; t < n; t++) rows[i * T + t] = r[t] * inv;
    lengths.push(n);
  }
  return { rank: lengths.length, rows, lengths: Int32Array.from(lengths) };
}
