import { normal, type RngState } from "../rng.js";
import type { Metric } from "./metric.js";

/** Diagonal metric: M^-1 = diag(invMass), the posterior variances when well adapted. */
export class DiagMetric implements Metric {
  readonly dim: number;
  readonly invMass: Float64Array;
  private readonly sqrtMass: Float64Array;

  constructor(dim: number) {
    this.dim = dim;
    this.invMass = new Float64Array(dim).fill(1);
    this.sqrtMass = new Float64Array(dim).fill(1);
  }

  /** Sets M^-1 = diag(invMass); every entry must be positive and finite. */
  setInvMass(invMass: Float64Array): void {
    for (let i = 0; i < this.dim; i++) {
      const m = invMass[i];
      if (!(m > 0 && Number.isFinite(m))) throw new RangeError(`inverse mass ${i} is ${m}`);
      this.invMass[i] = m;
      this.sqrtMass[i] = 1 / Math.sqrt(m);
    }
  }

  sampleMomentum(rng: RngState, p: Float64Array): void {
    for (let i = 0; i < this.dim; i++) p[i] = normal(rng) * this.sqrtMass[i];
  }

  velocity(p: Float64Array, v: Float64Array): void {
    const m = this.invMass;
    for (let i = 0; i < this.dim; i++) v[i] = m[i] * p[i];
  }
}
