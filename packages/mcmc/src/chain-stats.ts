/** Per-draw sampler diagnostics of one chain (Stan's sampler params), one entry per draw. */
export interface ChainStats {
  divergent: Uint8Array;
  treeDepth: Uint8Array;
  stepSize: Float64Array;
  energy: Float64Array;
  acceptStat: Float64Array;
  nLeapfrog: Int32Array;
  /** log p at each draw (Stan's lp__ on the unconstrained space, including the Jacobian). */
  logDensity: Float64Array;
}

/** Allocates the per-draw diagnostics of a chain of `n` draws. */
export function createChainStats(n: number): ChainStats {
  return {
    divergent: new Uint8Array(n),
    treeDepth: new Uint8Array(n),
    stepSize: new Float64Array(n),
    energy: new Float64Array(n),
    acceptStat: new Float64Array(n),
    nLeapfrog: new Int32Array(n),
    logDensity: new Float64Array(n),
  };
}
