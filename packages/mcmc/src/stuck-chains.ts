import type { ChainOutput } from "./chain.js";

/** A chain that did not join the others. */
export interface StuckChain {
  chain: number;
  /** True when its step size also collapsed: the signature of a chain trapped at a bad init. */
  collapsed: boolean;
  message: string;
}

function median(x: ArrayLike<number>): number {
  const s = Float64Array.from(x as ArrayLike<number>).sort();
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/**
 * Finds chains whose log density sits far below the others' (median log p more than
 * max(50, 20 x the typical spread) under the median of the other chains' medians). Such a chain is
 * stuck in a region the others left, e.g. arma11 from an explosive |theta| > 1 init (posteriordb
 * notes: Stan 2.21 left 2 of 16 chains there at step size ~1e-40). A stuck chain whose step size
 * is also 1000x below the others' has collapsed and is worth restarting.
 */
export function findStuckChains(outs: ChainOutput[]): StuckChain[] {
  if (outs.length < 2) return [];
  const meds = outs.map((o) => median(o.stats.logDensity));
  const spreads = outs.map((o) => {
    const s = Float64Array.from(o.stats.logDensity).sort();
    return s.length
      ? s[Math.floor(0.95 * (s.length - 1))] - s[Math.floor(0.05 * (s.length - 1))]
      : 0;
  });
  const spread = median(spreads);
  const eps = median(outs.map((o) => o.stepSize));
  const stuck: StuckChain[] = [];
  outs.forEach((o, c) => {
    const others = meds.filter((_, k) => k !== c);
    const ref = median(others);
    const gap = ref - meds[c];
    if (gap > Math.max(50, 20 * spread)) {
      const collapsed = o.stepSize < 1e-3 * eps;
      stuck.push({
        chain: c,
        collapsed,
        message:
          `chain ${c} is stuck: median log density ${meds[c].toPrecision(4)} against ${ref.toPrecision(4)} ` +
          `in the other chains, step size ${o.stepSize.toPrecision(3)} against ${eps.toPrecision(3)} (started from ${o.initSource})`,
      });
    }
  });
  return stuck;
}
