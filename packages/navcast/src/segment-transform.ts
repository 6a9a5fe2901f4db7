/**
 * A fixed linear reparameterisation of the shocks that lets all the shocks between two reported
 * NAVs move together (a "bridge", MODEL.md section 11 / issue 9): within each segment between NAV
 * weeks the shocks are split into their sum direction and an orthonormal (Helmert) bridge; the
 * segment sums are carried as cumulative levels u_k (roughly log V at the k-th NAV), whitened by
 * the Cholesky factor of the Gaussian precision those levels would have with a random-walk prior
 * (steps a_k = F s_k sqrt(n_k)) and NAV noise tau (at prior-centre F and sigma_n). The map is
 * linear and does not depend on the parameters, so its Jacobian is constant and the target
 * density is exactly MODEL.md's; only the geometry the sampler sees changes.
 */
import type { NavcastDensity, Potential } from "./density.js";
import type { ParamName } from "./model-config.js";
import type { ModelData } from "./model-data.js";
import { priorCentre } from "./priors.js";

/** Segment layout and whitening factors. */
export interface SegmentTransform {
  /** Offset of the shocks in q. */
  readonly offset: number;
  /** Number of shocks T. */
  readonly T: number;
  /** Segment k covers shocks [start[k], start[k+1]). */
  readonly start: Int32Array;
  /** Random-walk step scale a_k. */
  readonly a: Float64Array;
  /** Cholesky of the level precision: diagonal R_kk and superdiagonal R_{k,k+1}. */
  readonly rDiag: Float64Array;
  readonly rSup: Float64Array;
}

/**
 * Builds the transform. `ends` are the 0-based last shock indices of the segments (NAV weeks
 * shifted back by the lag); shocks after the last end stay as they are (identity).
 */
export function createSegmentTransform(
  offset: number,
  sqrtH: Float64Array,
  ends: number[],
  F: number,
  tau: number,
): SegmentTransform {
  const T = sqrtH.length;
  const cuts = [...new Set(ends.filter((e) => e >= 1 && e < T))].sort((x, y) => x - y);
  const K = cuts.length;
  const start = new Int32Array(K + 1);
  const a = new Float64Array(K);
  let s0 = 0;
  for (let k = 0; k < K; k++) {
    start[k] = s0;
    const n = cuts[k] - s0 + 1;
    let m = 0;
    for (let i = s0; i <= cuts[k]; i++) m += sqrtH[i];
    a[k] = F * (m / n) * Math.sqrt(n);
    s0 = cuts[k] + 1;
  }
  start[K] = s0;
  // level precision: random walk with steps a_k plus NAV noise tau on each level
  const rDiag = new Float64Array(K);
  const rSup = new Float64Array(K);
  const t2 = 1 / (tau * tau);
  for (let k = 0; k < K; k++) {
    const d = 1 / (a[k] * a[k]) + (k + 1 < K ? 1 / (a[k + 1] * a[k + 1]) : 0) + t2;
    const prev = k > 0 ? rSup[k - 1] : 0;
    rDiag[k] = Math.sqrt(d - prev * prev);
    rSup[k] = k + 1 < K ? -1 / (a[k + 1] * a[k + 1]) / rDiag[k] : 0;
  }
  return { offset, T, start, a, rDiag, rSup };
}

/**
 * q (sampler space: eta levels in each segment's first slot, bridge coordinates after it) to x
 * (model space: xi). Parameters before `offset` are copied.
 */
export function segmentsToModel(tr: SegmentTransform, q: Float64Array, x: Float64Array): void {
  const { offset, start, a, rDiag, rSup } = tr;
  const K = a.length;
  for (let i = 0; i < offset; i++) x[i] = q[i];
  // u = R^{-1} eta (back substitution), w_k = (u_k - u_{k-1}) / a_k
  let uNext = 0;
  const u = new Float64Array(K);
  for (let k = K - 1; k >= 0; k--) {
    const eta = q[offset + start[k]];
    u[k] = (eta - (k + 1 < K ? rSup[k] * uNext : 0)) / rDiag[k];
    uNext = u[k];
  }
  for (let k = 0; k < K; k++) {
    const w = (u[k] - (k > 0 ? u[k - 1] : 0)) / a[k];
    helmertForward(q, x, offset + start[k], start[k + 1] - start[k], w);
  }
  for (let i = offset + start[K]; i < offset + tr.T; i++) x[i] = q[i];
}

/** Gradient in sampler space from the gradient in model space (the transpose map). */
export function segmentsGradient(tr: SegmentTransform, gx: Float64Array, gq: Float64Array): void {
  const { offset, start, a, rDiag, rSup } = tr;
  const K = a.length;
  for (let i = 0; i < offset; i++) gq[i] = gx[i];
  const gw = new Float64Array(K);
  for (let k = 0; k < K; k++)
    gw[k] = helmertTranspose(gx, gq, offset + start[k], start[k + 1] - start[k]);
  // g_u_k = g_w_k / a_k - g_w_{k+1} / a_{k+1}; g_eta = R^{-T} g_u (forward substitution)
  let prev = 0;
  for (let k = 0; k < K; k++) {
    const gu = gw[k] / a[k] - (k + 1 < K ? gw[k + 1] / a[k + 1] : 0);
    const ge = (gu - (k > 0 ? rSup[k - 1] * prev : 0)) / rDiag[k];
    gq[offset + start[k]] = ge;
    prev = ge;
  }
  for (let i = offset + start[K]; i < offset + tr.T; i++) gq[i] = gx[i];
}

/** Model space (xi) to sampler space: the inverse of `segmentsToModel`. */
export function modelToSegments(tr: SegmentTransform, x: Float64Array, q: Float64Array): void {
  const { offset, start, a, rDiag, rSup } = tr;
  const K = a.length;
  for (let i = 0; i < offset; i++) q[i] = x[i];
  const u = new Float64Array(K);
  let acc = 0;
  for (let k = 0; k < K; k++) {
    // the Helmert map is orthonormal: its inverse is its transpose
    const w = helmertTranspose(x, q, offset + start[k], start[k + 1] - start[k]);
    acc += a[k] * w;
    u[k] = acc;
  }
  for (let k = 0; k < K; k++)
    q[offset + start[k]] = rDiag[k] * u[k] + (k + 1 < K ? rSup[k] * u[k + 1] : 0);
  for (let i = offset + start[K]; i < offset + tr.T; i++) q[i] = x[i];
}

/**
 * x[o..o+n) = w / sqrt(n) * 1 + sum_j b_j h_j, with b_j = q[o + j] (j = 1..n-1) and the Helmert
 * vectors h_j = (1, ..., 1, -j, 0, ...) / sqrt(j (j + 1)).
 */
function helmertForward(q: Float64Array, x: Float64Array, o: number, n: number, w: number): void {
  const c0 = w / Math.sqrt(n);
  let suffix = 0; // sum_{j > i} b_j c_j
  for (let i = n - 1; i >= 0; i--) {
    const own = i >= 1 ? (i * q[o + i]) / Math.sqrt(i * (i + 1)) : 0;
    x[o + i] = c0 + suffix - own;
    if (i >= 1) suffix += q[o + i] / Math.sqrt(i * (i + 1));
  }
}

/** Transpose of helmertForward: writes b-gradients into out[o+1..o+n), returns the w-gradient. */
function helmertTranspose(g: Float64Array, out: Float64Array, o: number, n: number): number {
  let prefix = 0;
  let sum = 0;
  for (let j = 0; j < n; j++) {
    if (j >= 1) out[o + j] = (prefix - j * g[o + j]) / Math.sqrt(j * (j + 1));
    prefix += g[o + j];
    sum += g[o + j];
  }
  return sum / Math.sqrt(n);
}

/** The density seen through the transform: what the sampler gets. */
export function segmentPotential(inner: Potential, tr: SegmentTransform): Potential {
  const x = new Float64Array(inner.dim);
  const gx = new Float64Array(inner.dim);
  return {
    dim: inner.dim,
    logDensityGradient(q, g) {
      segmentsToModel(tr, q, x);
      const lp = inner.logDensityGradient(x, gx);
      segmentsGradient(tr, gx, g);
      return lp;
    },
  };
}

/**
 * The segment transform of a window: segments end at each NAV week shifted back by the lag (the
 * value the NAV reflects); step scales at the prior centre of F, NAV noise at that of sigma_n.
 */
export function segmentTransformFor(density: NavcastDensity, data: ModelData): SegmentTransform {
  const ends: number[] = [];
  for (let i = 0; i < density.T; i++) if (!Number.isNaN(data.navGp[i])) ends.push(i - density.lag);
  const centre = (n: string) => {
    const k = density.names.indexOf(n as ParamName);
    return priorCentre(density.priors[k].spec);
  };
  return createSegmentTransform(
    density.xiOffset,
    data.h.map(Math.sqrt),
    ends,
    centre("F"),
    centre("sigma_n"),
  );
}
