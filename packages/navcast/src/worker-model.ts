/**
 * The model module @portal/mcmc's `sampleOnWorkers` loads in each worker thread: it rebuilds the
 * window's Potential from structured-cloneable data (a closure cannot cross threads).
 */
import { createDensity, type Potential } from "./density.js";
import type { ModelOptions } from "./model-config.js";
import type { ModelData } from "./model-data.js";
import { segmentPotential, segmentTransformFor } from "./segment-transform.js";

/** What a worker receives: the window's data, the model options, the parameterisation. */
export interface WorkerModelData {
  data: ModelData;
  options: ModelOptions;
  segments: boolean;
}

/** Builds the Potential the sampler sees (the same as `fitWindow` builds in-thread). */
export function createPotential(d: WorkerModelData): Potential {
  const density = createDensity(d.data, d.options);
  return d.segments ? segmentPotential(density, segmentTransformFor(density, d.data)) : density;
}
