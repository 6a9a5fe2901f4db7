import {
  copyPhasePoint,
  hamiltonian,
  leapfrog,
  type PhasePoint,
  refreshVelocity,
} from "../leapfrog.js";
import type { Metric } from "../metric/metric.js";
import type { LogDensityGradient } from "../potential.js";
import type { RngState } from "../rng.js";

/**
 * Stan's init_stepsize (base_hmc.hpp; Hoffman & Gelman 2014, Algorithm 4): doubles or halves the
 * step size until the acceptance probability of one leapfrog step from a fresh momentum crosses
 * 0.8. `z` holds q, g, logp at the current point and is left unchanged; `scratch` is overwritten.
 * Returns the new step size, or NaN when it leaves [1e-300, 1e7] (an improper or broken target).
 */
export function initStepSize(
  f: LogDensityGradient,
  metric: Metric,
  rng: RngState,
  eps0: number,
  z: PhasePoint,
  scratch: PhasePoint,
): number {
  let eps = eps0;
  const logTarget = Math.log(0.8);
  const trial = (): number => {
    copyPhasePoint(z, scratch);
    metric.sampleMomentum(rng, scratch.p);
    refreshVelocity(metric, scratch);
    const h0 = hamiltonian(scratch);
    leapfrog(f, metric, eps, scratch);
    let h = hamiltonian(scratch);
    if (Number.isNaN(h)) h = Number.POSITIVE_INFINITY;
    return h0 - h;
  };
  const direction = trial() > logTarget ? 1 : -1;
  for (let it = 0; it < 2000; it++) {
    const dH = trial();
    if (direction === 1 && !(dH > logTarget)) break;
    if (direction === -1 && !(dH < logTarget)) break;
    eps = direction === 1 ? 2 * eps : 0.5 * eps;
    if (eps > 1e7 || eps < 1e-300) return Number.NaN;
  }
  return eps;
}
