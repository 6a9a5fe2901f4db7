import { normal, type RngState } from "../rng.js";
import type { Metric } from "./metric.js";

/**
 * Diagonal plus low-rank metric (nutpie's; Seyboldt et al. 2024): M^-1 = S (I + U (Λ - I) U') S
 * with S = diag(s), U a d x r matrix of orthonormal columns and Λ = diag(λ). Applied in O(d r)
 * per call (the Woodbury form), so a rank near the number of tight directions stays cheap.
 * Momentum: p = S^-1 (z + U (Λ^-1/2 - I) U' z), z ~ N(0, I), has covariance M.
 */
export class LowRankMetric implements Metric {
  readonly dim: number;
  readonly maxRank: number;
  /** Scales s (standard deviations of the diagonal part). */
  readonly s: Float64Array;
  /** d x maxRank, row-major; the first `rank` columns are used. */
  readonly u: Float64Array;
  readonly lambda: Float64Array;
  rank = 0;
  private readonly t: Float64Array;

  constructor(dim: number, maxRank: number) {
    this.dim = dim;
    this.maxRank = maxRank;
    this.s = new Float64Array(dim).fill(1);
    this.u = new Float64Array(dim * maxRank);
    this.lambda = new Float64Array(maxRank);
    this.t = new Float64Array(maxRank);
  }

  /** Sets s, and U, λ (u is d x rank, row-major). */
  set(s: Float64Array, u: Float64Array, lambda: Float64Array, rank: number): void {
    if (rank > this.maxRank) throw new RangeError(`rank ${rank} exceeds ${this.maxRank}`);
    for (let i = 0; i < this.dim; i++) {
      if (!(s[i] > 0 && Number.isFinite(s[i]))) throw new RangeError(`scale ${i} is ${s[i]}`);
      this.s[i] = s[i];
    }
    for (let j = 0; j < rank; j++) {
      if (!(lambda[j] > 0 && Number.isFinite(lambda[j])))
        throw new RangeError(`eigenvalue ${j} is ${lambda[j]}`);
      this.lambda[j] = lambda[j];
    }
    const m = this.maxRank;
    for (let i = 0; i < this.dim; i++)
      for (let j = 0; j < rank; j++) this.u[i * m + j] = u[i * rank + j];
    this.rank = rank;
  }

  velocity(p: Float64Array, v: Float64Array): void {
    const { dim, rank, s, u, lambda, t } = this;
    const m = this.maxRank;
    t.fill(0, 0, rank);
    for (let i = 0; i < dim; i++) {
      const ps = s[i] * p[i];
      v[i] = ps;
      for (let j = 0; j < rank; j++) t[j] += u[i * m + j] * ps;
    }
    for (let j = 0; j < rank; j++) t[j] *= lambda[j] - 1;
    for (let i = 0; i < dim; i++) {
      let w = v[i];
      for (let j = 0; j < rank; j++) w += u[i * m + j] * t[j];
      v[i] = s[i] * w;
    }
  }

  sampleMomentum(rng: RngState, p: Float64Array): void {
    const { dim, rank, s, u, lambda, t } = this;
    const m = this.maxRank;
    t.fill(0, 0, rank);
    for (let i = 0; i < dim; i++) {
      const z = normal(rng);
      p[i] = z;
      for (let j = 0; j < rank; j++) t[j] += u[i * m + j] * z;
    }
    for (let j = 0; j < rank; j++) t[j] *= 1 / Math.sqrt(lambda[j]) - 1;
    for (let i = 0; i < dim; i++) {
      let w = p[i];
      for (let j = 0; j < rank; j++) w += u[i * m + j] * t[j];
      p[i] = w / s[i];
    }
  }
}
