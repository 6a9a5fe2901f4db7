/**
 * Conditional whitening of the shocks (MODEL.md section 11; issue 9): the sampler sees the shocks
 * through a map that depends on the global parameters, built so that in the linear-Gaussian
 * approximation of the observation terms the shocks' conditional posterior given the parameters is
 * close to N(0, I) for every sigma_n, sigma_d and F. That removes the funnels between those
 * parameters and the few directions each observation pins down, which a fixed metric cannot
 * follow.
 *
 * Each observation o pins a log-scale quantity l_o of the path: log B_t at a NAV week (noise about
 * sigma_n), log V_{t-1} at a distribution week (log D_t - log delta, noise sigma_d) and log V_t at
 * a secondary-price week (sigma_s). Linearising l in the shocks gives a K x T sensitivity matrix,
 * which is (F sqrt(1 - rho^2)) A0 with A0 measured once at a reference point. With kind k's noise
 * sigma_k and c_k = F sqrt(1 - rho^2) / sigma_k, the linearised conditional posterior of the
 * shocks has precision I + sum_k c_k^2 A_k' A_k (A_k: kind k's rows of A0). Two noise scales move
 * independently, so no fixed basis diagonalises it for every parameter value. The basis V is built
 * kind by kind, the tightest at the reference first (`kindBlocks`): the right singular vectors of
 * the first kind's rows, then those of the next kind's rows within the directions the first does
 * not see, and so on. Along its i-th direction the precision's diagonal is
 *
 *     1 / d_i^2 = 1 + sum_k c_k^2 a_ki,    a_ki = |A_k v_i|^2,
 *
 * (outside span(V) the scale is 1). The first kind's part is diagonal for every parameter value,
 * so with NAVs alone, or NAVs much tighter than distributions, the map is exact as sigma_n goes to
 * 0; the later kinds' pull is followed along the diagonal only. (A single basis of all the rows
 * weighted at the reference was tried first: exact only at the reference's ratio of the noise
 * scales, it lost the small-sigma_n funnel of funds whose sigma_n posterior spans two orders of
 * magnitude, seed 1's four-year fund 18: R-hat 1.11 against 1.003 with the NAVs alone.)
 *
 * The sampler's coordinates are u, split into the complement a = (I - V V') u and w = V' u, with
 *
 *     xi = a + V (d o w + m(params, a))
 *
 * where m approximates the conditional mode of V' xi given the parameters and a, by chord
 * iterations with the fixed sensitivities (`iterations` of them, from m_0 = V' xi0):
 *
 *     m_{j+1} = m_j + omega d^2 o (h_j - m_j),   h_j = sum_k (c_k / sigma_k) G_k' r_kj,
 *
 * with G = A0 V, r_kj = y_k - l_k(params, a + V m_j) kind k's residuals (y: log N, log D - log
 * delta, log S). The directions of the tightest kind move in every iteration, the others' in the
 * first only: a move along another kind's directions changes the tightest observations at second
 * order, which only a later iteration of theirs corrects (with every direction moving in every
 * iteration, funds with sigma_n under 0.01 mixed worse than with the NAVs alone: seed 1's
 * four-year funds 5 and 52, R-hat 1.04 and 1.03 against 1.009 and 1.004). One iteration is
 * Gauss-Newton around the reference; more follow the curvature of l (whose error relative to the
 * noise grows as the noise shrinks) and the parameters that move the smoothing kernel (lambda),
 * which the fixed A0 does not see. The step omega (`damping`, 1 by default) damps them where the
 * plain step overshoots into a cycle (`chordChoiceFor`). Since m does not depend on w, the map is
 * a bijection for every value of the parameters with log|det dxi/du| = sum_i log d_i, which is
 * added to the density: the target is exactly MODEL.md's; the approximation only shapes the
 * geometry.
 *
 * The run config's default follows the NAVs alone (`observations` "navs"); following every kind
 * ("all") was not better on four-year funds (bench/results/issue-9-study.md, third session).
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
  /** Number of whitened directions (observations with a non-degenerate sensitivity). */
  readonly rank: number;
  /**
   * How far each chord iteration's mean lies from the last one's at the model point x, in units
   * of the whitened directions' scales: entry j (0 <= j < iterations) is max_i |m_j - m_J| / d_i,
   * m_0 = V' xi0 the reference's. A potential built with many iterations so tells how many are
   * enough (`chordIterationsFor`).
   */
  chordErrors(x: Float64Array): Float64Array;
}

/**
 * Which observations the whitening follows: the GP's NAVs only, or every observation of the path
 * (NAVs, distributions and secondary prices).
 */
export type WhitenedObservations = "navs" | "all";

/**
 * Builds the whitened potential of `density`. `makeBaseline` makes further densities of the same
 * data and options (one per chord iteration, each keeping its buffers between the forward and
 * reverse passes); `reference` is a model-space point where the sensitivities are measured;
 * `iterations` the number of chord iterations for the mean and `damping` their step omega.
 */
export function createWhitenedPotential(
  density: NavcastDensity,
  makeBaseline: () => NavcastDensity,
  reference: Float64Array,
  iterations = 1,
  observations: WhitenedObservations = "navs",
  damping = 1,
): WhitenedPotential {
  if (!(damping > 0 && damping <= 1)) throw new Error(`chord damping ${damping} is not in (0, 1]`);
  const dim = density.dim;
  const P = density.xiOffset;
  const T = density.T;
  const idx = (n: string) => {
    const k = density.names.indexOf(n as never);
    if (k < 0) throw new Error(`the density has no parameter ${n}`);
    return k;
  };
  const iF = idx("F");
  const iRho = idx("rho");
  const t4 = new Float64Array(4);
  const val = (k: number, qk: number): [number, number] => {
    const p = density.priors[k];
    constrain(p.transform, p.support, qk, t4);
    return [t4[0], t4[1]];
  };
  // the kinds of observation followed, each a run [from, to) of `observedLogs`' entries with its
  // noise parameter, its observed values and the parameter subtracted from them (log delta), if any
  const Kn = density.logNav.length;
  const Kd = density.logDist.length;
  const Ks = density.logSec.length;
  const kinds = [{ from: 0, to: Kn, noise: idx("sigma_n"), offset: -1, y: density.logNav }];
  if (observations === "all") {
    if (Kd > 0)
      kinds.push({
        from: Kn,
        to: Kn + Kd,
        noise: idx("sigma_d"),
        offset: idx("log_delta"),
        y: density.logDist,
      });
    if (Ks > 0)
      kinds.push({
        from: Kn + Kd,
        to: Kn + Kd + Ks,
        noise: idx("sigma_s"),
        offset: -1,
        y: density.logSec,
      });
  }
  const nk = kinds.length;
  const K = kinds[nk - 1].to; // observations followed (a prefix of observedLogs' entries)
  const kindOf = new Int32Array(K);
  for (const [k, kd] of kinds.entries()) kindOf.fill(k, kd.from, kd.to);

  // one density per chord iteration: each keeps its forward buffers for the reverse pass
  const baselines = Array.from({ length: Math.max(1, iterations) }, makeBaseline);
  const baseline = baselines[0];
  const all = new Float64Array(Kn + Kd + Ks); // observedLogs' output
  const seeds = new Float64Array(Kn + Kd + Ks);
  // sensitivities of the observations to xi at the reference, per unit of F sqrt(1 - rho^2)
  const [F0] = val(iF, reference[iF]);
  const [rho0] = val(iRho, reference[iRho]);
  const scale0 = F0 * Math.sqrt(1 - rho0 * rho0);
  const a0 = new Float64Array(K * T);
  {
    const g = new Float64Array(dim);
    for (let o = 0; o < K; o++) {
      baseline.observedLogs(reference, all);
      seeds.fill(0);
      seeds[o] = 1;
      baseline.observedLogsGradient(reference, seeds, g);
      for (let t = 0; t < T; t++) a0[o * T + t] = g[P + t] / scale0;
    }
  }
  // V = Q' W: Q's rows an orthonormal basis of A0's row space by Gram-Schmidt in the order of the
  // observations' weeks, so that row i is zero after the week of the i-th observation (an
  // observation does not depend on later shocks) and products with Q cost about half of dense
  // ones; W from the small R x R Gram matrices of A0 Q', kind by kind (`kindBlocks`).
  const basis = orthonormalRows(a0, K, T);
  const R = basis.rank;
  const Qt = basis.rows;
  const len = basis.lengths;
  const B = new Float64Array(K * R); // A0 Q'
  for (let o = 0; o < K; o++) {
    for (let i = 0; i < R; i++) {
      let sum = 0;
      for (let t = 0; t < len[i]; t++) sum += a0[o * T + t] * Qt[i * T + t];
      B[o * R + i] = sum;
    }
  }
  // W: R x R, column e the e-th direction in Q's coordinates; the first `tight` are the tightest
  // kind's
  const { W, tight } = kindBlocks(
    B,
    R,
    kinds.map((kd) => ({ from: kd.from, to: kd.to, noise: val(kd.noise, reference[kd.noise])[0] })),
  );
  /** Whether chord iteration j moves direction i: the tightest kind's in each, others' in the first. */
  const moves = (j: number, i: number) => j === 0 || i < tight;
  const G = new Float64Array(K * R); // A0 V
  const a = new Float64Array(nk * R); // a_ki = |A_k v_i|^2
  for (let o = 0; o < K; o++) {
    for (let e = 0; e < R; e++) {
      let sum = 0;
      for (let i = 0; i < R; i++) sum += B[o * R + i] * W[i * R + e];
      G[o * R + e] = sum;
      a[kindOf[o] * R + e] += sum * sum;
    }
  }
  const tmp = new Float64Array(R);
  // proj and synth take Q's rows four at a time over their common support (the rows' supports
  // are nested: `len` grows with the row), which reads the path once for four rows, and the
  // R mod 4 shortest rows one at a time first; each row's sum, and each week's sum over the rows,
  // adds its terms in the same order as one row at a time
  /** out = V' v for the path of v (at offset P). */
  const proj = (v: Float64Array, out: Float64Array) => {
    for (let i = 0; i < R % 4; i++) {
      let sum = 0;
      const row = i * T;
      for (let t = 0; t < len[i]; t++) sum += Qt[row + t] * v[P + t];
      tmp[i] = sum;
    }
    for (let i = R % 4; i < R; i += 4) {
      const r0 = i * T;
      const r1 = r0 + T;
      const r2 = r1 + T;
      const r3 = r2 + T;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      const n = Math.min(len[i], len[i + 1], len[i + 2], len[i + 3]);
      for (let t = 0; t < n; t++) {
        const vt = v[P + t];
        s0 += Qt[r0 + t] * vt;
        s1 += Qt[r1 + t] * vt;
        s2 += Qt[r2 + t] * vt;
        s3 += Qt[r3 + t] * vt;
      }
      for (let t = n; t < len[i]; t++) s0 += Qt[r0 + t] * v[P + t];
      for (let t = n; t < len[i + 1]; t++) s1 += Qt[r1 + t] * v[P + t];
      for (let t = n; t < len[i + 2]; t++) s2 += Qt[r2 + t] * v[P + t];
      for (let t = n; t < len[i + 3]; t++) s3 += Qt[r3 + t] * v[P + t];
      tmp[i] = s0;
      tmp[i + 1] = s1;
      tmp[i + 2] = s2;
      tmp[i + 3] = s3;
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
      tmp[i] = sum;
    }
    for (let i = 0; i < R % 4; i++) {
      const row = i * T;
      const ci = tmp[i];
      for (let t = 0; t < len[i]; t++) v[P + t] += ci * Qt[row + t];
    }
    for (let i = R % 4; i < R; i += 4) {
      const r0 = i * T;
      const r1 = r0 + T;
      const r2 = r1 + T;
      const r3 = r2 + T;
      const [c0, c1, c2, c3] = [tmp[i], tmp[i + 1], tmp[i + 2], tmp[i + 3]];
      const n = Math.min(len[i], len[i + 1], len[i + 2], len[i + 3]);
      for (let t = 0; t < n; t++)
        v[P + t] = v[P + t] + c0 * Qt[r0 + t] + c1 * Qt[r1 + t] + c2 * Qt[r2 + t] + c3 * Qt[r3 + t];
      // past the common support, rows in order (the supports are nested, so week t's terms
      // still come row by row)
      for (let t = n; t < len[i]; t++) v[P + t] += c0 * Qt[r0 + t];
      for (let t = n; t < len[i + 1]; t++) v[P + t] += c1 * Qt[r1 + t];
      for (let t = n; t < len[i + 2]; t++) v[P + t] += c2 * Qt[r2 + t];
      for (let t = n; t < len[i + 3]; t++) v[P + t] += c3 * Qt[r3 + t];
    }
  };
  const eta = new Float64Array(R); // V' xi0
  proj(reference, eta);

  // scratch
  const J = Math.max(1, iterations);
  const xs = Array.from({ length: J }, () => new Float64Array(dim)); // the iterations' points
  const res = new Float64Array(K); // residuals of one iteration
  const hk = new Float64Array(J * nk * R); // kind k's share of h_j
  const etas = new Float64Array((J + 1) * R); // V' xi along the iterations; row J is m
  const d = new Float64Array(R);
  const c = new Float64Array(nk); // c_k
  const sig = new Float64Array(nk); // sigma_k
  const dSig = new Float64Array(nk); // d sigma_k / dq
  const offs = new Float64Array(nk); // offset_k (log delta for distributions)
  const dOff = new Float64Array(nk); // d offset_k / dq
  const gLogC = new Float64Array(nk); // adjoints of log c_k and of log(c_k / sigma_k)
  const gLogE = new Float64Array(nk);
  const gOff = new Float64Array(nk);
  const w = new Float64Array(R); // V' u
  const v = new Float64Array(R); // V' xi (toSampler)
  const gam = new Float64Array(R); // V' g_xi
  const gbar = new Float64Array(R); // adjoint of the iterate
  const pg = new Float64Array(R); // V' of one iteration's path gradient
  const pgSum = new Float64Array(R);
  const coef = new Float64Array(R);
  const gb = new Float64Array(dim);
  const x = new Float64Array(dim);
  const gx = new Float64Array(dim);

  /**
   * The parameter-dependent pieces at the parameters of `q`: c, d, and the chord iterations from
   * m_0 = V' xi0. The complement a is given as base - V baseW for a path `base` (at offset P) with
   * V' base = baseW. Returns d log(F sqrt(1 - rho^2)) / dq for F and rho.
   */
  const prepare = (q: Float64Array, base: Float64Array, baseW: Float64Array) => {
    const [F, dF] = val(iF, q[iF]);
    const [rho, dRho] = val(iRho, q[iRho]);
    const scale = F * Math.sqrt(1 - rho * rho);
    for (let k = 0; k < nk; k++) {
      [sig[k], dSig[k]] = val(kinds[k].noise, q[kinds[k].noise]);
      c[k] = scale / sig[k];
    }
    for (let i = 0; i < R; i++) {
      let prec = 1;
      for (let k = 0; k < nk; k++) prec += c[k] * c[k] * a[k * R + i];
      d[i] = 1 / Math.sqrt(prec);
    }
    for (let k = 0; k < nk; k++) {
      const o = kinds[k].offset;
      [offs[k], dOff[k]] = o < 0 ? [0, 0] : val(o, q[o]);
    }
    etas.set(eta, 0);
    hk.fill(0);
    for (let j = 0; j < J; j++) {
      const xj = xs[j];
      for (let k = 0; k < P; k++) xj[k] = q[k];
      for (let t = 0; t < T; t++) xj[P + t] = base[P + t];
      for (let i = 0; i < R; i++) coef[i] = etas[j * R + i] - baseW[i];
      synth(xj, coef);
      baselines[j].observedLogs(xj, all);
      for (let o = 0; o < K; o++) {
        const k = kindOf[o];
        res[o] = kinds[k].y[o - kinds[k].from] - offs[k] - all[o];
      }
      for (let k = 0; k < nk; k++) {
        const ek = c[k] / sig[k];
        for (let o = kinds[k].from; o < kinds[k].to; o++) {
          const ro = ek * res[o];
          for (let i = 0; i < R; i++) hk[(j * nk + k) * R + i] += ro * G[o * R + i];
        }
      }
      for (let i = 0; i < R; i++) {
        let h = 0;
        for (let k = 0; k < nk; k++) h += hk[(j * nk + k) * R + i];
        const m = etas[j * R + i];
        etas[(j + 1) * R + i] = moves(j, i) ? m + damping * d[i] * d[i] * (h - m) : m;
      }
    }
    return { dlsF: dF / F, dlsRho: (-rho / (1 - rho * rho)) * dRho };
  };

  /** x = [params, a + V (d o w + m)] = [params, u + V (d o w + m - w)] from q = [params, u]. */
  const toModel = (q: Float64Array, out: Float64Array) => {
    proj(q, w);
    const r = prepare(q, q, w);
    out.set(q);
    for (let i = 0; i < R; i++) coef[i] = d[i] * w[i] + etas[J * R + i] - w[i];
    synth(out, coef);
    return r;
  };

  return {
    dim,
    rank: R,
    toModel,
    chordErrors(xm) {
      proj(xm, v);
      prepare(xm, xm, v);
      const out = new Float64Array(J);
      for (let j = 0; j < J; j++)
        for (let i = 0; i < R; i++)
          out[j] = Math.max(out[j], Math.abs(etas[j * R + i] - etas[J * R + i]) / d[i]);
      return out;
    },
    toSampler(xm, q) {
      // u = a + V w with a = xi - V v the complement of xi, v = V' xi, and w = (v - m) / d
      proj(xm, v);
      prepare(xm, xm, v);
      q.set(xm);
      for (let i = 0; i < R; i++) coef[i] = (v[i] - etas[J * R + i]) / d[i] - v[i];
      synth(q, coef);
    },
    logDensityGradient(q, g) {
      const { dlsF, dlsRho } = toModel(q, x);
      let lp = density.logDensityGradient(x, gx);
      proj(gx, gam);
      // g_a accumulates in g's path: the model gradient, then each iteration's path gradient
      g.set(gx);
      gLogC.fill(0);
      gLogE.fill(0);
      gOff.fill(0);
      for (let i = 0; i < R; i++) {
        // log|det dx/dq| = sum log d_i and the d o w term; d d_i / d log c_k = -d_i^3 c_k^2 a_ki
        lp += Math.log(d[i]);
        const t = (gam[i] * w[i] * d[i] + 1) * d[i] * d[i];
        for (let k = 0; k < nk; k++) gLogC[k] -= t * c[k] * c[k] * a[k * R + i];
        gbar[i] = gam[i];
        pgSum[i] = 0;
      }
      // reverse through the chord iterations m_{j+1} = m_j + omega d^2 (h_j - m_j)
      for (let j = J - 1; j >= 0; j--) {
        for (let i = 0; i < R; i++) {
          if (!moves(j, i)) {
            coef[i] = 0;
            continue;
          }
          const d2 = d[i] * d[i];
          const step = damping * d2;
          // d d_i^2 / d log c_k = -2 d_i^4 c_k^2 a_ki
          let h = 0;
          for (let k = 0; k < nk; k++) {
            const hi = hk[(j * nk + k) * R + i];
            h += hi;
            // h's share of kind k is proportional to c_k / sigma_k
            gLogE[k] += gbar[i] * step * hi;
          }
          const gD2 = damping * gbar[i] * (h - etas[j * R + i]);
          for (let k = 0; k < nk; k++) gLogC[k] -= gD2 * 2 * d2 * d2 * c[k] * c[k] * a[k * R + i];
          coef[i] = gbar[i] * step; // the adjoint of h_j
        }
        // r = y - offset - l(params, a + V m_j): seeds on l are -(c_k / sigma_k) G (gbar o d^2)
        seeds.fill(0);
        for (let o = 0; o < K; o++) {
          const k = kindOf[o];
          let sum = 0;
          for (let i = 0; i < R; i++) sum += G[o * R + i] * coef[i];
          const gr = (sum * c[k]) / sig[k];
          seeds[o] = -gr;
          gOff[k] -= gr;
        }
        baselines[j].observedLogsGradient(xs[j], seeds, gb);
        for (let k = 0; k < dim; k++) g[k] += gb[k];
        proj(gb, pg);
        for (let i = 0; i < R; i++) {
          pgSum[i] += pg[i];
          gbar[i] = (moves(j, i) ? 1 - damping * d[i] * d[i] : 1) * gbar[i] + pg[i];
        }
      }
      // g_u = (I - V V') g_a + V (d o gamma), with V' g_a = gamma + sum_j V' g_j
      for (let i = 0; i < R; i++) coef[i] = d[i] * gam[i] - gam[i] - pgSum[i];
      synth(g, coef);
      // log c_k = log(F sqrt(1 - rho^2)) - log sigma_k, log(c_k / sigma_k) = ... - 2 log sigma_k
      let gLogScale = 0;
      for (let k = 0; k < nk; k++) {
        gLogScale += gLogC[k] + gLogE[k];
        const kd = kinds[k];
        g[kd.noise] -= ((gLogC[k] + 2 * gLogE[k]) * dSig[k]) / sig[k];
        if (kd.offset >= 0) g[kd.offset] += gOff[k] * dOff[k];
      }
      g[iF] += gLogScale * dlsF;
      g[iRho] += gLogScale * dlsRho;
      return lp;
    },
  };
}

/**
 * The directions of V in Q's coordinates (R x R orthonormal, column e the e-th): kind by kind, the
 * tightest at the reference first (the smallest noise), the eigenvectors of the kind's Gram
 * matrix (B's rows from..to) within the directions that no earlier kind sees. The tightest kind's
 * precision is then diagonal in V for every parameter value, so the whitening of the NAVs alone
 * stays exact however small sigma_n gets; each later kind is exact where the earlier ones do not
 * reach and its diagonal is followed elsewhere. Directions no kind sees come last.
 */
function kindBlocks(
  B: Float64Array,
  R: number,
  kinds: { from: number; to: number; noise: number }[],
): { W: Float64Array; tight: number } {
  const W = new Float64Array(R * R);
  let filled = 0;
  let tight = -1;
  // the directions still free (R x nc, column c one of them)
  let C = new Float64Array(R * R);
  for (let i = 0; i < R; i++) C[i * R + i] = 1;
  let nc = R;
  const order = kinds.map((_, k) => k).sort((i, j) => kinds[i].noise - kinds[j].noise);
  for (const k of order) {
    if (nc === 0) break;
    const { from, to } = kinds[k];
    const bc = new Float64Array((to - from) * nc); // the kind's rows of B C
    for (let o = from; o < to; o++)
      for (let c = 0; c < nc; c++) {
        let sum = 0;
        for (let i = 0; i < R; i++) sum += B[o * R + i] * C[i * nc + c];
        bc[(o - from) * nc + c] = sum;
      }
    const gram = new Float64Array(nc * nc);
    for (let c = 0; c < nc; c++)
      for (let e = 0; e <= c; e++) {
        let sum = 0;
        for (let o = 0; o < to - from; o++) sum += bc[o * nc + c] * bc[o * nc + e];
        gram[c * nc + e] = sum;
        gram[e * nc + c] = sum;
      }
    const { values, vectors } = symmetricEigen(gram, nc);
    const top = Math.max(0, ...values);
    const seen: number[] = [];
    const rest: number[] = [];
    for (let e = 0; e < nc; e++) (values[e] > 1e-10 * top ? seen : rest).push(e);
    // column C E_e of each direction this kind sees goes to W; the others stay free
    const column = (e: number, out: Float64Array, stride: number, at: number) => {
      for (let i = 0; i < R; i++) {
        let sum = 0;
        for (let c = 0; c < nc; c++) sum += C[i * nc + c] * vectors[c * nc + e];
        out[i * stride + at] = sum;
      }
    };
    for (const e of seen) column(e, W, R, filled++);
    if (tight < 0) tight = filled;
    const next = new Float64Array(R * rest.length);
    rest.forEach((e, c) => {
      column(e, next, rest.length, c);
    });
    C = next;
    nc = rest.length;
  }
  for (let c = 0; c < nc; c++) for (let i = 0; i < R; i++) W[i * R + filled + c] = C[i * nc + c];
  return { W, tight: Math.max(0, tight) };
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

/**
 * The chord iterations `whitening_iterations: "auto"` chooses between, how close to its limit the
 * mean must come (in units of each whitened direction's scale d_i), judged against the mean after
 * `probe` iterations, and the steps omega `whitening_damping: "auto"` tries, largest first.
 */
export const AUTO_CHORD = {
  min: 3,
  max: 12,
  probe: 24,
  tolerance: 0.1,
  dampings: [1, 0.5],
} as const;

/** The number of chord iterations and their step omega. */
export interface ChordChoice {
  iterations: number;
  damping: number;
}

/**
 * The fewest chord iterations, from AUTO_CHORD.min to .max, whose mean lies within `tolerance`
 * (AUTO_CHORD.tolerance unless given) of the limit at every given model point (draws of a pilot,
 * say); `probe` is the whitened potential built with AUTO_CHORD.probe iterations. Where even .max
 * do not reach it, .max. Issue 9: the mean of a long fund's path converges slowly, and where three
 * iterations leave it far from its limit the map bends the target so that chains stick (seed 1's
 * ten-year fund 11: R-hat 1.52 with 3, 1.15 with 6, 1.006 with 10). But where the iterations have
 * not settled by the probe's last at some point (its last two differ by more than the tolerance:
 * a cycle, or no convergence), null: the "limit" is then only where the cycle happens to be (seed
 * 1's ten-year fund 5, whose even iterations looked converged in a two-cycle, got 12 for its pilot
 * and R-hat 1.118; four-year funds 50 and 75 had not ended after 35 and 19 minutes).
 */
export function chordIterationsFor(
  probe: WhitenedPotential,
  points: Float64Array[],
  tolerance: number = AUTO_CHORD.tolerance,
): number | null {
  const worst = new Float64Array(AUTO_CHORD.probe);
  for (const x of points) {
    const e = probe.chordErrors(x);
    // a NaN (a map that did not evaluate) stays the worst
    for (let j = 0; j < e.length; j++) if (Number.isNaN(e[j]) || e[j] > worst[j]) worst[j] = e[j];
  }
  // iterations that have not settled by the probe's last (a cycle, or no convergence at all) have
  // no limit to come close to
  if (!(worst[AUTO_CHORD.probe - 1] <= tolerance)) return null;
  for (let j = AUTO_CHORD.min; j < AUTO_CHORD.max; j++) if (worst[j] <= tolerance) return j;
  return AUTO_CHORD.max;
}

/**
 * "auto"'s chord iterations and step at the given model points: the first of `dampings` whose
 * iterations settle at every point (`chordIterationsFor`, with `probeAt(omega)` the probe of that
 * step), with the fewest iterations close enough to their limit, or `iterations` where given; where
 * none settles, AUTO_CHORD.min iterations of the first step (more of them only follow the cycle
 * further: seed 1's ten-year fund 5, R-hat 1.015 with 3, 1.118 with 12). A step omega turns the
 * plain step's rate 1 - r (r: the conditional precision along a whitened direction relative to
 * the map's 1 / d_i^2, which the curvature of the NAV terms moves away from 1) into 1 - omega r,
 * so where r lies between 2 and 4 the plain iterations cycle and half steps converge. Whether that
 * helps the chains is another matter (bench/results/issue-9-study.md, eighth session): seed 1's
 * four-year fund 35 became healthy with half steps in its pilot (R-hat 1.002 and no divergences,
 * from 1.10 and 295), but not with them in its run alone (1.065, 329 divergences), and fund 47
 * lost its health with them in its pilot.
 */
export function chordChoiceFor(
  probeAt: (damping: number) => WhitenedPotential,
  points: Float64Array[],
  o: { tolerance?: number; dampings?: readonly number[]; iterations?: number } = {},
): ChordChoice {
  const dampings = o.dampings ?? AUTO_CHORD.dampings;
  for (const damping of dampings) {
    const found = chordIterationsFor(probeAt(damping), points, o.tolerance);
    if (found !== null) return { iterations: o.iterations ?? found, damping };
  }
  return { iterations: o.iterations ?? AUTO_CHORD.min, damping: dampings[0] };
}
