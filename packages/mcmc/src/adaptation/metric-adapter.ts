import { DenseMetric } from "../metric/dense-metric.js";
import { DiagMetric } from "../metric/diag-metric.js";
import type { Metric } from "../metric/metric.js";
import { lowRankAdapter } from "./low-rank-adapter.js";
import { createWelford, welfordAdd, welfordRestart, welfordVariance } from "./welford.js";

/** Which metric and how it is adapted. */
export type MetricKind = "diag" | "dense" | "diag-grad" | "lowrank" | "unit";

/**
 * Learns a metric from the draws (and gradients) of a slow adaptation window. `add` is called on
 * every iteration inside a window, `update` at the end of each window.
 */
export interface MetricAdapter {
  readonly metric: Metric;
  /** True when it learns from gradients and benefits from early updates in the first fast buffer. */
  readonly early?: boolean;
  /** Called once with the initial point, before any transition. */
  start(q: Float64Array, g: Float64Array): void;
  /**
   * Starts from a given M^-1 (warm start, e.g. the previous window's): its diagonal (dim entries)
   * or, for metrics that can use it, the dense matrix (dim x dim, row-major).
   */
  setInitial(inv: Float64Array): void;
  add(q: Float64Array, g: Float64Array): void;
  /** Replaces the metric with the window's estimate and restarts the estimator. */
  update(): void;
  /** The current M^-1: its diagonal (d entries) or the dense matrix (d x d). */
  inverseMetric(): Float64Array;
  /** The metric exactly as it is, packed for `restore` (a chain continued later, or elsewhere). */
  state(): Float64Array;
  /** Sets the metric to one `state` gave (of the same kind and dimension). */
  restore(s: Float64Array): void;
}

/** The diagonal of a given M^-1 (dim entries, or dim x dim row-major). */
export function diagonalOf(inv: Float64Array, dim: number): Float64Array {
  if (inv.length === dim) return inv;
  if (inv.length !== dim * dim)
    throw new RangeError(
      `inverse metric has length ${inv.length}, expected ${dim} or ${dim * dim}`,
    );
  return Float64Array.from({ length: dim }, (_, i) => inv[i * dim + i]);
}

/** A metric state of the expected length, or a RangeError that says what was wrong. */
export function checkedState(s: Float64Array, length: number): Float64Array {
  if (s.length !== length)
    throw new RangeError(`metric state has length ${s.length}, expected ${length}`);
  return s;
}

/**
 * Stan's diagonal adaptation (var_adaptation.hpp): sample variances shrunk towards 1e-3,
 * var = n/(n+5) var + 1e-3 * 5/(n+5).
 */
export function stanDiagAdapter(dim: number): MetricAdapter {
  const metric = new DiagMetric(dim);
  const w = createWelford(dim, false);
  const v = new Float64Array(dim);
  return {
    metric,
    start() {},
    setInitial(inv) {
      metric.setInvMass(diagonalOf(inv, dim));
    },
    add(q) {
      welfordAdd(w, q);
    },
    update() {
      welfordVariance(w, v);
      const n = w.n;
      for (let i = 0; i < dim; i++) v[i] = (n / (n + 5)) * v[i] + 1e-3 * (5 / (n + 5));
      metric.setInvMass(v);
      welfordRestart(w);
    },
    inverseMetric: () => Float64Array.from(metric.invMass),
    state: () => Float64Array.from(metric.invMass),
    restore: (st) => metric.setInvMass(checkedState(st, dim)),
  };
}

/**
 * Stan's dense adaptation (covar_adaptation.hpp): sample covariance shrunk towards 1e-3 I,
 * cov = n/(n+5) cov + 1e-3 * 5/(n+5) I.
 */
export function stanDenseAdapter(dim: number): MetricAdapter {
  const metric = new DenseMetric(dim);
  const w = createWelford(dim, true);
  const c = new Float64Array(dim * dim);
  return {
    metric,
    start() {},
    setInitial(inv) {
      if (inv.length === dim * dim) metric.setCov(inv);
      else {
        const m = new Float64Array(dim * dim);
        for (let i = 0; i < dim; i++) m[i * dim + i] = diagonalOf(inv, dim)[i];
        metric.setCov(m);
      }
    },
    add(q) {
      welfordAdd(w, q);
    },
    update() {
      welfordVariance(w, c);
      const n = w.n;
      for (let i = 0; i < dim * dim; i++) c[i] *= n / (n + 5);
      for (let i = 0; i < dim; i++) c[i * dim + i] += 1e-3 * (5 / (n + 5));
      try {
        metric.setCov(c);
      } catch {
        // a window too short for a full-rank estimate: keep only its diagonal
        for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) if (i !== j) c[i * dim + j] = 0;
        metric.setCov(c);
      }
      welfordRestart(w);
    },
    inverseMetric: () => Float64Array.from(metric.cov),
    state: () => Float64Array.from(metric.cov),
    restore: (st) => metric.setCov(checkedState(st, dim * dim)),
  };
}

/**
 * Diagonal metric from draws and gradients, as nutpie does (Seyboldt et al. 2024, "Preconditioning
 * for HMC with draws and scores"): var_i = sd(q_i) / sd(g_i), which minimises the Fisher divergence
 * between the target and a Gaussian with diagonal covariance, and is exact for any Gaussian with a
 * diagonal covariance. Before the first window it uses var_i = 1 / |g_i| at the initial point.
 * Unlike Stan's estimate it is scale free: there is no shrinkage towards a fixed value.
 */
export function gradDiagAdapter(dim: number): MetricAdapter {
  const metric = new DiagMetric(dim);
  const wq = createWelford(dim, false);
  const wg = createWelford(dim, false);
  const vq = new Float64Array(dim);
  const vg = new Float64Array(dim);
  const v = new Float64Array(dim);
  const clamp = (x: number): number =>
    x > 1e10 ? 1e10 : x < 1e-10 ? 1e-10 : Number.isFinite(x) ? x : 1;
  return {
    metric,
    early: true,
    start(_q, g) {
      for (let i = 0; i < dim; i++) v[i] = clamp(1 / Math.abs(g[i]));
      metric.setInvMass(v);
    },
    setInitial(inv) {
      metric.setInvMass(diagonalOf(inv, dim));
    },
    add(q, g) {
      welfordAdd(wq, q);
      welfordAdd(wg, g);
    },
    update() {
      welfordVariance(wq, vq);
      welfordVariance(wg, vg);
      for (let i = 0; i < dim; i++) v[i] = clamp(Math.sqrt(vq[i] / vg[i]));
      metric.setInvMass(v);
      welfordRestart(wq);
      welfordRestart(wg);
    },
    inverseMetric: () => Float64Array.from(metric.invMass),
    state: () => Float64Array.from(metric.invMass),
    restore: (st) => metric.setInvMass(checkedState(st, dim)),
  };
}

/** A fixed identity metric (no adaptation). */
export function unitAdapter(dim: number): MetricAdapter {
  const metric = new DiagMetric(dim);
  return {
    metric,
    start() {},
    setInitial(inv) {
      metric.setInvMass(diagonalOf(inv, dim));
    },
    add() {},
    update() {},
    inverseMetric: () => Float64Array.from(metric.invMass),
    state: () => Float64Array.from(metric.invMass),
    restore: (st) => metric.setInvMass(checkedState(st, dim)),
  };
}

/** Creates the adapter for a metric kind. */
export function createMetricAdapter(kind: MetricKind, dim: number): MetricAdapter {
  switch (kind) {
    case "diag":
      return stanDiagAdapter(dim);
    case "dense":
      return stanDenseAdapter(dim);
    case "diag-grad":
      return gradDiagAdapter(dim);
    case "lowrank":
      return lowRankAdapter(dim);
    case "unit":
      return unitAdapter(dim);
    default:
      throw new RangeError(`unknown metric "${kind as string}"`);
  }
}
