/**
 * The model module @portal/mcmc's `sampleOnWorkers` loads in each worker thread: it rebuilds the
 * window's Potential from structured-cloneable data (a closure cannot cross threads).
 */
import { createDensity, type DensityCoordinates, type Potential } from "./density.js";
import type { ModelOptions } from "./model-config.js";
import type { ModelData } from "./model-data.js";
import type { RunConfig } from "./run-config.js";
import { segmentPotential, segmentTransformFor } from "./segment-transform.js";
import { createWhitenedPotential } from "./whitened-transform.js";

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
}

/** Builds the Potential the sampler sees (the same as `fitWindow` builds in-thread). */
export function createPotential(d: WorkerModelData): Potential {
  const density = createDensity(d.data, d.options, d.coordinates);
  switch (d.parameterization) {
    case "segments":
      return segmentPotential(density, segmentTransformFor(density, d.data));
    case "whitened":
      if (!d.reference) throw new Error("the whitened parameterisation needs a reference point");
      return createWhitenedPotential(
        density,
        () => createDensity(d.data, d.options, d.coordinates),
        d.reference,
        d.whiteningIterations,
      );
    default:
      return density;
  }
}
