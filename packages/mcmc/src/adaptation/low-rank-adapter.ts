import { LowRankMetric } from "../metric/low-rank-metric.js";
import { matMul, spdGeometricMean, symmetricEigen } from "../metric/symmetric-eigen.js";
import { createRng, normal } from "../rng.js";
import { checkedState, diagonalOf, type MetricAdapter } from "./metric-adapter.js";

/** Settings of the low-rank adaptation (nutpie's defaults for gamma and cutoff). */
export interface LowRankOptions {
  /** Largest rank of the correction (default 32; MODEL.md section 11: near the number of observations). */
  maxRank: number;
  /** Ridge added to the projected covariances (default 1e-5). */
  gamma: number;
  /** Keep eigen-directions with λ > cutoff or λ < 1 / cutoff (default 2). */
  cutoff: number;
}

export const LOW_RANK_DEFAULTS: LowRankOptions = { maxRank: 32, gamma: 1e-5, cutoff: 2 };

/** Orthonormalises the columns of a d x k row-major matrix in place (modified Gram-Schmidt, twice); returns the kept count. */
function orthonormalize(a: Float64Array, d: number, k: number): { q: Float64Array; k: number } {
  const cols: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const c = new Float64Array(d);
    for (let i = 0; i < d; i++) c[i] = a[i * k + j];
    let n0 = 0;
    for (let i = 0; i < d; i++) n0 += c[i] * c[i];
    for (let pass = 0; pass < 2; pass++) {
      for (const b of cols) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += b[i] * c[i];
        for (let i = 0; i < d; i++) c[i] -= dot * b[i];
      }
    }
    let n = 0;
    for (let i = 0; i < d; i++) n += c[i] * c[i];
    if (!(n > 1e-20 * n0) || n === 0) continue;
    const inv = 1 / Math.sqrt(n);
    for (let i = 0; i < d; i++) c[i] *= inv;
    cols.push(c);
    if (cols.length === d) break;
  }
  const q = new Float64Array(d * cols.length);
  cols.forEach((c, j) => {
    for (let i = 0; i < d; i++) q[i * cols.length + j] = c[i];
  });
  return { q, k: cols.length };
}

/**
 * Top-r right singular subspace of an n x d matrix X (randomised range finder with two power
 * iterations; Halko, Martinsson & Tropp 2011): returns d x r (row-major, not yet orthonormal).
 */
function topSubspace(x: Float64Array, n: number, d: number, r: number, seed: number): Float64Array {
  const rng = createRng(seed, 7);
  let z: Float64Array = new Float64Array(d * r);
  for (let i = 0; i < z.length; i++) z[i] = normal(rng);
  const xt = new Float64Array(d * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xt[j * n + i] = x[i * d + j];
  for (let it = 0; it < 3; it++) {
    const y: Float64Array = matMul(x, z, n, d, r); // n x r
    z = matMul(xt, y, d, n, r); // d x r
    const on = orthonormalize(z, d, r);
    if (on.k === r) z = on.q;
  }
  return z;
}

/**
 * Diagonal plus low-rank metric adapted from draws and gradients (nutpie; Seyboldt et al. 2024):
 * the diagonal is sd(q)/sd(g) per coordinate; in the space it whitens, the covariance estimate is
 * the geometric mean of the draws' covariance and the inverse of the gradients' covariance,
 * restricted to the span of the leading directions of both; its eigen-directions that differ from
 * 1 by more than `cutoff` become the low-rank correction. When dim <= 2 maxRank the span is the
 * whole space, so this is a full (dense) estimate from draws and gradients.
 */
export function lowRankAdapter(dim: number, opts: Partial<LowRankOptions> = {}): MetricAdapter {
  const o = { ...LOW_RANK_DEFAULTS, ...opts };
  const maxRank = Math.min(o.maxRank, dim);
  const metric = new LowRankMetric(dim, maxRank);
  let cap = 64;
  let xs = new Float64Array(cap * dim);
  let gs = new Float64Array(cap * dim);
  let n = 0;
  let updates = 0;
  const clamp = (x: number): number =>
    x > 1e10 ? 1e10 : x < 1e-10 ? 1e-10 : Number.isFinite(x) ? x : 1;
  return {
    metric,
    early: true,
    start(_q, g) {
      const s = new Float64Array(dim);
      for (let i = 0; i < dim; i++) s[i] = Math.sqrt(clamp(1 / Math.abs(g[i])));
      metric.set(s, new Float64Array(0), new Float64Array(0), 0);
    },
    setInitial(inv) {
      const d = diagonalOf(inv, dim);
      metric.set(d.map(Math.sqrt), new Float64Array(0), new Float64Array(0), 0);
    },
    add(q, g) {
      if (n === cap) {
        cap *= 2;
        const nx = new Float64Array(cap * dim);
        nx.set(xs);
        xs = nx;
        const ng = new Float64Array(cap * dim);
        ng.set(gs);
        gs = ng;
      }
      xs.set(q, n * dim);
      gs.set(g, n * dim);
      n++;
    },
    update() {
      if (n < 3) {
        n = 0;
        return;
      }
      // diagonal part: s_i² = sd(q_i) / sd(g_i)
      const s = new Float64Array(dim);
      const mx = new Float64Array(dim);
      const mg = new Float64Array(dim);
      for (let k = 0; k < n; k++)
        for (let i = 0; i < dim; i++) {
          mx[i] += xs[k * dim + i] / n;
          mg[i] += gs[k * dim + i] / n;
        }
      for (let i = 0; i < dim; i++) {
        let vx = 0;
        let vg = 0;
        for (let k = 0; k < n; k++) {
          vx += (xs[k * dim + i] - mx[i]) ** 2;
          vg += (gs[k * dim + i] - mg[i]) ** 2;
        }
        s[i] = Math.sqrt(clamp(Math.sqrt(vx / vg)));
      }
      // whitened, centred draws and gradients
      const x = new Float64Array(n * dim);
      const g = new Float64Array(n * dim);
      for (let k = 0; k < n; k++)
        for (let i = 0; i < dim; i++) {
          x[k * dim + i] = (xs[k * dim + i] - mx[i]) / s[i];
          g[k * dim + i] = (gs[k * dim + i] - mg[i]) * s[i];
        }
      // basis of the subspace to estimate in
      let basis: Float64Array;
      let k: number;
      if (dim <= 2 * maxRank) {
        basis = new Float64Array(dim * dim);
        for (let i = 0; i < dim; i++) basis[i * dim + i] = 1;
        k = dim;
      } else {
        const r = Math.min(maxRank, n);
        const zx = topSubspace(x, n, dim, r, 1000 + updates);
        const zg = topSubspace(g, n, dim, r, 2000 + updates);
        const both = new Float64Array(dim * 2 * r);
        for (let i = 0; i < dim; i++)
          for (let j = 0; j < r; j++) {
            both[i * 2 * r + j] = zx[i * r + j];
            both[i * 2 * r + r + j] = zg[i * r + j];
          }
        const on = orthonormalize(both, dim, 2 * r);
        basis = on.q;
        k = on.k;
      }
      const xp = matMul(x, basis, n, dim, k);
      const gp = matMul(g, basis, n, dim, k);
      const a = new Float64Array(k * k);
      const b = new Float64Array(k * k);
      for (let t = 0; t < n; t++)
        for (let i = 0; i < k; i++) {
          const xi = xp[t * k + i];
          const gi = gp[t * k + i];
          for (let j = 0; j < k; j++) {
            a[i * k + j] += (xi * xp[t * k + j]) / n;
            b[i * k + j] += (gi * gp[t * k + j]) / n;
          }
        }
      for (let i = 0; i < k; i++) {
        a[i * k + i] += o.gamma;
        b[i * k + i] += o.gamma;
      }
      const sigma = spdGeometricMean(a, b, k);
      const e = symmetricEigen(sigma, k);
      const order = Array.from({ length: k }, (_, i) => i)
        // eigenvalues at or below round-off (or not finite) come from directions the window did not
        // sample: leave those to the diagonal rather than trust them
        .filter((i) => Number.isFinite(e.values[i]) && e.values[i] > 1e-8)
        .filter((i) => e.values[i] > o.cutoff || e.values[i] < 1 / o.cutoff)
        .sort((i, j) => Math.abs(Math.log(e.values[j])) - Math.abs(Math.log(e.values[i])))
        .slice(0, maxRank);
      const rank = order.length;
      const u = new Float64Array(dim * rank);
      const lam = new Float64Array(rank);
      order.forEach((c, j) => {
        lam[j] = e.values[c];
        for (let i = 0; i < dim; i++) {
          let v = 0;
          for (let t = 0; t < k; t++) v += basis[i * k + t] * e.vectors[t * k + c];
          u[i * rank + j] = v;
        }
      });
      try {
        metric.set(s, u, lam, rank);
      } catch {
        // a numerically broken estimate must not stop sampling: keep the diagonal part only
        metric.set(s, u, lam, 0);
      }
      n = 0;
      updates++;
    },
    state() {
      // [rank, s (dim), lambda (rank), U (dim x rank, row-major)]
      const { rank, maxRank: m } = metric;
      const out = new Float64Array(1 + dim + rank + dim * rank);
      out[0] = rank;
      out.set(metric.s, 1);
      out.set(metric.lambda.subarray(0, rank), 1 + dim);
      for (let i = 0; i < dim; i++)
        for (let j = 0; j < rank; j++) out[1 + dim + rank + i * rank + j] = metric.u[i * m + j];
      return out;
    },
    restore(st) {
      const rank = st[0];
      if (!(Number.isInteger(rank) && rank >= 0 && rank <= metric.maxRank))
        throw new RangeError(`metric state has rank ${rank}, expected 0..${metric.maxRank}`);
      checkedState(st, 1 + dim + rank + dim * rank);
      metric.set(
        st.subarray(1, 1 + dim),
        st.subarray(1 + dim + rank),
        st.subarray(1 + dim, 1 + dim + rank),
        rank,
      );
    },
    inverseMetric() {
      // dense M^-1 = S (I + U (Λ - I) U') S, d x d
      const out = new Float64Array(dim * dim);
      const m = metric.maxRank;
      for (let i = 0; i < dim; i++)
        for (let j = 0; j < dim; j++) {
          let v = i === j ? 1 : 0;
          for (let r = 0; r < metric.rank; r++)
            v += metric.u[i * m + r] * (metric.lambda[r] - 1) * metric.u[j * m + r];
          out[i * dim + j] = metric.s[i] * v * metric.s[j];
        }
      return out;
    },
  };
}
