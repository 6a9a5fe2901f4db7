/**
 * The model module @portal/mcmc's `sampleOnWorkers` loads in each worker thread: it rebuilds the
 * window's Potential from structured-cloneable data (a closure cannot cross threads).
 */
import {
  createDensity,
  type DensityCoordinates,
  type NavcastDensity,
  type Potential,
} from "./density.js";
import { withLoadingCoordinates } from "./loading-transform.js";
import type { ModelOptions } from "./model-config.js";
import type { ModelData } from "./model-data.js";
import type { RunConfig } from "./run-config.js";
import { segmentPotential, segmentTransformFor } from "./segment-transform.js";
import {
  createWhitenedPotential,
  type WhitenedObservations,
  type WhitenedPotential,
} from "./whitened-transform.js";

/** What a worker receives: the window's data, the model options, the parameterisation. */
export interface WorkerModelData {
  data: ModelData;
  options: ModelOptions;
  parameterization: RunConfig["parameterization"];
  coordinates: DensityCoordinates;
  /** Model-space reference point of the "whitened" parameterisation (fitWindow's first init). */
  reference?: Float64Array;
  /** Chord iterations of the whitened parameterisation's mean. */
  whiteningIterations?: number;
  /** The step of each chord iteration (1: undamped). */
  whiteningDamping?: number;
  /** The observations the whitening follows. */
  whitenObservations?: WhitenedObservations;
  /** Whether F and rho are sampled as (F rho, log(F sqrt(1 - rho^2))) (loading-transform.ts). */
  loadingCoordinates?: boolean;
}

/**
 * The "whitened" parameterisation's Potential of `density` as the run config's sampler settings
 * ask for it (in `fitWindow` and in each worker alike); `makeBaseline` makes further densities of
 * the same data, options and coordinates.
 */
export function whitenedPotential(
  density: NavcastDensity,
  makeBaseline: () => NavcastDensity,
  reference: Float64Array,
  s: Pick<
    WorkerModelData,
    "whiteningIterations" | "whiteningDamping" | "whitenObservations" | "loadingCoordinates"
  >,
): WhitenedPotential {
  const w = createWhitenedPotential(
    density,
    makeBaseline,
    reference,
    s.whiteningIterations,
    s.whitenObservations,
    s.whiteningDamping,
  );
  return s.loadingCoordinates ? withLoadingCoordinates(w, density) : w;
}

/** Builds the Potential the sampler sees (the same as `fitWindow` builds in-thread). */
export function createPotential(d: WorkerModelData): Potential {
  const density = createDensity(d.data, d.options, d.coordinates);
  switch (d.parameterization) {
    case "segments":
      return segmentPotential(density, segmentTransformFor(density, d.data));
    case "whitened":
      if (!d.reference) throw new Error("the whitened parameterisation needs a reference point");
      return whitenedPotential(
        density,
        () => createDensity(d.data, d.options, d.coordinates),
        d.reference,
        d,
      );
    default:
      return density;
  }
}
