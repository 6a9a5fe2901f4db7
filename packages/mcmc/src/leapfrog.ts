import type { Metric } from "./metric/metric.js";
import type { LogDensityGradient } from "./potential.js";

/** A point in phase space with its cached log density, gradient and velocity M^-1 p. */
export interface PhasePoint {
  q: Float64Array;
  p: Float64Array;
  /** ∇ log p(q). */
  g: Float64Array;
  /** M^-1 p. */
  v: Float64Array;
  /** M^-1 ∇ log p(q), cached so that a leapfrog step applies the metric once (see leapfrog). */
  mg: Float64Array;
  logp: number;
  /** Hamiltonian at this point, where the tree builder has computed it. */
  h: number;
}

/** Allocates a phase point of dimension `dim`. */
export function createPhasePoint(dim: number): PhasePoint {
  return {
    q: new Float64Array(dim),
    p: new Float64Array(dim),
    g: new Float64Array(dim),
    v: new Float64Array(dim),
    mg: new Float64Array(dim),
    logp: 0,
    h: 0,
  };
}

/** Copies `from` into `to` (same dimension). */
export function copyPhasePoint(from: PhasePoint, to: PhasePoint): void {
  // one fused loop: cheaper than four TypedArray.set calls on the small vectors of most models
  const fq = from.q;
  const fp = from.p;
  const fg = from.g;
  const fv = from.v;
  const fm = from.mg;
  const tm = to.mg;
  const tq = to.q;
  const tp = to.p;
  const tg = to.g;
  const tv = to.v;
  for (let i = 0; i < fq.length; i++) {
    tq[i] = fq[i];
    tp[i] = fp[i];
    tg[i] = fg[i];
    tv[i] = fv[i];
    tm[i] = fm[i];
  }
  to.logp = from.logp;
  to.h = from.h;
}

/** Copies the position part (q, gradient, M^-1 gradient, log p, H): what a proposal keeps. */
export function copyPosition(from: PhasePoint, to: PhasePoint): void {
  const fq = from.q;
  const fg = from.g;
  const fm = from.mg;
  const tq = to.q;
  const tg = to.g;
  const tm = to.mg;
  for (let i = 0; i < fq.length; i++) {
    tq[i] = fq[i];
    tg[i] = fg[i];
    tm[i] = fm[i];
  }
  to.logp = from.logp;
  to.h = from.h;
}

/** Hamiltonian H = -log p(q) + p' M^-1 p / 2 (uses the cached velocity). */
export function hamiltonian(z: PhasePoint): number {
  const p = z.p;
  const v = z.v;
  let k = 0;
  for (let i = 0; i < p.length; i++) k += p[i] * v[i];
  return -z.logp + 0.5 * k;
}

/**
 * One leapfrog (velocity Verlet) step of size `eps` in place (Neal 2011, eq. 5.18-5.20): half kick,
 * drift, gradient evaluation, half kick. Requires z.v = M^-1 z.p and z.mg = M^-1 z.g on entry and
 * keeps both up to date. By linearity the kicks update v with mg (v += eps/2 M^-1 g), so the
 * metric is applied once per step (to the new gradient) instead of twice: this halves the metric's
 * cost, which matters for dense and low-rank metrics on cheap models.
 */
export function leapfrog(f: LogDensityGradient, metric: Metric, eps: number, z: PhasePoint): void {
  const { q, p, g, v, mg } = z;
  const n = q.length;
  const h = 0.5 * eps;
  for (let i = 0; i < n; i++) {
    p[i] += h * g[i];
    v[i] += h * mg[i];
    q[i] += eps * v[i];
  }
  z.logp = f(q, g);
  metric.velocity(g, mg);
  for (let i = 0; i < n; i++) {
    p[i] += h * g[i];
    v[i] += h * mg[i];
  }
}

/** Sets the cached z.v = M^-1 z.p and z.mg = M^-1 z.g (after drawing p or changing the metric). */
export function refreshVelocity(metric: Metric, z: PhasePoint): void {
  metric.velocity(z.p, z.v);
  metric.velocity(z.g, z.mg);
}
