import type { RngState } from "../rng.js";

/**
 * A Euclidean metric for HMC (Betancourt 2017, sec. 4.2): momentum p ~ N(0, M) and kinetic energy
 * K(p) = p' M^-1 p / 2. Implementations own their buffers; none allocates per call.
 */
export interface Metric {
  readonly dim: number;
  /** Draws p ~ N(0, M) into `p`. */
  sampleMomentum(rng: RngState, p: Float64Array): void;
  /** Writes the velocity v = M^-1 p (Stan's dtau_dp, the "sharp" momentum) into `v`. */
  velocity(p: Float64Array, v: Float64Array): void;
}
