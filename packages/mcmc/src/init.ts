import type { LogDensityGradient } from "./potential.js";
import { type RngState, uniform } from "./rng.js";

/**
 * Where chains start, on the unconstrained space: "median" (the model's `initMedian` point, or 0,
 * which is the median of every symmetric transform), "uniform" (Stan's uniform(-2, 2)), "feasible"
 * (a search from 0 outwards), or one explicit point per chain. Whichever is asked for, the
 * fallbacks are tried in the order median -> uniform(-2, 2) -> feasible when the density or its
 * gradient is not finite there (or the step size collapses there).
 */
export type InitStrategy = "median" | "uniform" | "feasible" | Float64Array[];

/** Raised when no starting point with a finite density and gradient could be found. */
export class InitError extends Error {
  readonly chain: number;
  readonly attempts: number;
  constructor(message: string, chain: number, attempts: number) {
    super(message);
    this.name = "InitError";
    this.chain = chain;
    this.attempts = attempts;
  }
}

/** A candidate starting point in the order the strategy and its fallbacks give them. */
export function* initCandidates(
  dim: number,
  strategy: InitStrategy,
  chain: number,
  rng: RngState,
  median: Float64Array | undefined,
): Generator<{ q: Float64Array; source: string }> {
  const q = new Float64Array(dim);
  if (Array.isArray(strategy)) {
    const given = strategy[chain];
    if (given) {
      q.set(given);
      yield { q, source: "given" };
    }
  }
  if (strategy !== "uniform") {
    if (median) q.set(median);
    else q.fill(0);
    yield { q, source: "median" };
  }
  if (strategy !== "feasible") {
    for (let k = 0; k < 100; k++) {
      for (let i = 0; i < dim; i++) q[i] = 4 * uniform(rng) - 2;
      yield { q, source: "uniform(-2, 2)" };
    }
  }
  // feasible: shrink towards the median/zero, then widen, at random points
  const centre = median ?? new Float64Array(dim);
  const radii = [1, 0.5, 0.25, 0.1, 0.03, 0.01, 1e-3, 1e-4, 4, 10];
  for (const r of radii) {
    for (let k = 0; k < 10; k++) {
      for (let i = 0; i < dim; i++) q[i] = centre[i] + r * (2 * uniform(rng) - 1);
      yield { q, source: `feasible(radius ${r})` };
    }
  }
}

/** Evaluates log p at q; returns it when it and every gradient entry are finite, NaN otherwise (a throwing model counts as not finite). */
export function finiteLogDensity(f: LogDensityGradient, q: Float64Array, g: Float64Array): number {
  let lp: number;
  try {
    lp = f(q, g);
  } catch {
    return Number.NaN;
  }
  if (!Number.isFinite(lp)) return Number.NaN;
  for (let i = 0; i < g.length; i++) if (!Number.isFinite(g[i])) return Number.NaN;
  return lp;
}
