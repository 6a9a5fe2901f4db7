import { normal, type RngState } from "../rng.js";
import { cholesky } from "./cholesky.js";
import type { Metric } from "./metric.js";

/**
 * Dense metric: M^-1 = Σ (the posterior covariance when well adapted). With Σ = L L', a momentum
 * p = L^-T z, z ~ N(0, I), has covariance L^-T L^-1 = Σ^-1 = M. Velocity costs one O(d²) mat-vec.
 */
export class DenseMetric implements Metric {
  readonly dim: number;
  /** Σ = M^-1, row-major. */
  readonly cov: Float64Array;
  private readonly chol: Float64Array;

  constructor(dim: number) {
    this.dim = dim;
    this.cov = new Float64Array(dim * dim);
    this.chol = new Float64Array(dim * dim);
    for (let i = 0; i < dim; i++) {
      this.cov[i * dim + i] = 1;
      this.chol[i * dim + i] = 1;
    }
  }

  /** Sets M^-1 = cov (row-major, symmetric positive definite); throws if it is not. */
  setCov(cov: Float64Array): void {
    const n = this.dim;
    if (!cholesky(cov, n, this.chol))
      throw new RangeError("metric covariance is not positive definite");
    this.cov.set(cov.subarray(0, n * n));
  }

  sampleMomentum(rng: RngState, p: Float64Array): void {
    const n = this.dim;
    const l = this.chol;
    for (let i = 0; i < n; i++) p[i] = normal(rng);
    // back substitution: L' p = z
    for (let i = n - 1; i >= 0; i--) {
      let s = p[i];
      for (let k = i + 1; k < n; k++) s -= l[k * n + i] * p[k];
      p[i] = s / l[i * n + i];
    }
  }

  velocity(p: Float64Array, v: Float64Array): void {
    const n = this.dim;
    const c = this.cov;
    for (let i = 0; i < n; i++) {
      let s = 0;
      const row = i * n;
      for (let k = 0; k < n; k++) s += c[row + k] * p[k];
      v[i] = s;
    }
  }
}
