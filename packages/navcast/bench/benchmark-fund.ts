/**
 * The benchmarks' fund: a buyout-like fund from the skeleton generator (seed 2024) simulated from
 * fixed, moderate parameters (seed 2025). Issue 5's benchmarks (a) and (b) and the side-by-side
 * with Stan on it use this one fund, so that their numbers can be compared.
 */
import { simulateFund } from "../src/simulate.js";
import { generateSkeleton } from "../src/skeleton.js";

export const BENCHMARK_PARAMS = {
  alpha: 0.0005,
  beta: 1,
  F: 1,
  rho: 0.5,
  lambda: 0.5,
  sigma_n: 0.05,
  log_delta: Math.log(0.05),
  sigma_d: 0.5,
  sigma_s: 0.1,
};

/** The benchmark fund of `years` years (10: 520 weeks). */
export function benchmarkFund(years: number) {
  return simulateFund(generateSkeleton({ seed: 2024, years }), BENCHMARK_PARAMS, { seed: 2025 });
}
