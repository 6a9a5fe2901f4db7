import type { Potential } from "../potential.js";

/**
 * A posteriordb posterior written by hand: the log density on the unconstrained space (with
 * log-Jacobians) and gradient, plus the map to the constrained parameters posteriordb reports.
 * A module that exports `createPotential(data)` can be loaded by `sampleOnWorkers`.
 */
export interface PosteriorModel extends Potential {
  /** Constrained parameter names, 1-based as posteriordb writes them (`theta[1]`, ...). */
  readonly names: string[];
  /** Writes the constrained parameters (in `names` order) for an unconstrained point. */
  constrain(q: Float64Array, out: Float64Array): void;
}

/** -log(1 + (x/s)^2): the x-dependent part of a (half-)Cauchy(0, s) log density. */
export function cauchyLp(x: number, s: number): number {
  const r = x / s;
  return -Math.log1p(r * r);
}

/** d/dx of {@link cauchyLp} (two scalar functions: no object allocated per gradient). */
export function cauchyDlp(x: number, s: number): number {
  const r = x / s;
  return (-2 * r) / s / (1 + r * r);
}

/** 1 / (1 + e^-u), stable. */
export function logistic(u: number): number {
  if (u >= 0) return 1 / (1 + Math.exp(-u));
  const e = Math.exp(u);
  return e / (1 + e);
}

/** log(e^a + e^b), stable. */
export function logSumExp2(a: number, b: number): number {
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}
