/**
 * The whole interface between a model and the sampler: a log density on the unconstrained space
 * (including any log-Jacobian of transforms) and its gradient.
 */
export interface Potential {
  readonly dim: number;
  /** Writes ∇ log p(q) into `grad`; returns log p(q) (unconstrained, incl. log-Jacobian). */
  logDensityGradient(q: Float64Array, grad: Float64Array): number;
}

/** A log density with gradient as a bare function: writes ∇ log p(q) into `grad`, returns log p(q). */
export type LogDensityGradient = (q: Float64Array, grad: Float64Array) => number;
