/**
 * The master array of common random numbers for posterior predictive (MODEL.md section 7): one
 * per run, max_time x n_samples each of standard normals (fund return, distribution, comparable)
 * and uniforms (the truncated-normal NAV by inverse CDF), reused for every window and fund so
 * that differences between windows are not noise. Row-major in t: index t * nSamples + s.
 */
import { createRng, normal, uniform } from "./rng.js";

/** Common random numbers of a run. */
export interface MasterShocks {
  readonly maxTime: number;
  readonly nSamples: number;
  readonly fund: Float64Array;
  readonly distribution: Float64Array;
  readonly comparable: Float64Array;
  readonly nav: Float64Array;
}

/** Generates the master shocks; each array has its own stream, so each is stable on its own. */
export function masterShocks(seed: number, maxTime: number, nSamples: number): MasterShocks {
  const n = maxTime * nSamples;
  const fill = (key: number, f: (r: ReturnType<typeof createRng>) => number) => {
    const r = createRng(seed, 0xc0, key);
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) a[i] = f(r);
    return a;
  };
  return {
    maxTime,
    nSamples,
    fund: fill(1, normal),
    distribution: fill(2, normal),
    comparable: fill(3, normal),
    nav: fill(4, uniform),
  };
}
