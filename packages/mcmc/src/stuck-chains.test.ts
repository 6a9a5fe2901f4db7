import { describe, expect, it } from "vitest";
import type { ChainOutput } from "./chain.js";
import { createChainStats } from "./chain-stats.js";
import { findStuckChains } from "./stuck-chains.js";

function chain(lp: number, eps: number): ChainOutput {
  const stats = createChainStats(100);
  for (let i = 0; i < 100; i++) stats.logDensity[i] = lp + (i % 10) * 0.3;
  return {
    draws: new Float64Array(100),
    stats,
    stepSize: eps,
    inverseMetric: new Float64Array(1),
    initPoint: new Float64Array(1),
    initSource: "uniform(-2, 2)",
    warnings: [],
    gradientEvals: 0,
    end: { q: new Float64Array(1), stepSize: eps, metric: new Float64Array(1) },
  };
}

describe("findStuckChains", () => {
  it("flags a chain far below the others and marks a collapsed step size", () => {
    const s = findStuckChains([
      chain(250, 0.7),
      chain(-4.8e4, 3e-9),
      chain(251, 0.6),
      chain(252, 0.65),
    ]);
    expect(s.map((x) => [x.chain, x.collapsed])).toEqual([[1, true]]);
    expect(s[0].message).toMatch(/chain 1 is stuck/);
  });

  it("leaves healthy chains alone and needs at least two chains", () => {
    expect(findStuckChains([chain(250, 0.7), chain(249, 0.6), chain(251, 0.5)])).toEqual([]);
    expect(findStuckChains([chain(-1e9, 1e-20)])).toEqual([]);
  });
});
