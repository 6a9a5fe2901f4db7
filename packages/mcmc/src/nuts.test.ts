import { describe, expect, it } from "vitest";
import { essBulk } from "./diagnostics/ess.js";
import { createPhasePoint } from "./leapfrog.js";
import { DiagMetric } from "./metric/diag-metric.js";
import { createNutsWorkspace, type NutsInfo, nutsTransition } from "./nuts.js";
import type { LogDensityGradient } from "./potential.js";
import { createRng } from "./rng.js";

function run(
  f: LogDensityGradient,
  dim: number,
  eps: number,
  n: number,
  seed: number,
  maxDepth = 10,
) {
  const metric = new DiagMetric(dim);
  const ws = createNutsWorkspace(dim, maxDepth);
  const state = createPhasePoint(dim);
  state.logp = f(state.q, state.g);
  const rng = createRng(seed);
  const info: NutsInfo = {
    acceptStat: 0,
    treeDepth: 0,
    nLeapfrog: 0,
    divergent: false,
    energy: 0,
    maxMicroSteps: 1,
  };
  const draws = new Float64Array(n * dim);
  const infos: NutsInfo[] = [];
  for (let i = 0; i < n; i++) {
    nutsTransition(ws, { f, metric, maxDeltaH: 1000 }, rng, eps, state, info);
    draws.set(state.q, i * dim);
    infos.push({ ...info });
  }
  return { draws, infos };
}

const stdNormal: LogDensityGradient = (q, g) => {
  let lp = 0;
  for (let i = 0; i < q.length; i++) {
    g[i] = -q[i];
    lp -= 0.5 * q[i] * q[i];
  }
  return lp;
};

describe("nutsTransition", () => {
  it("leaves N(0, I) invariant at a fixed step size (no adaptation)", () => {
    const n = 8000;
    const { draws, infos } = run(stdNormal, 2, 0.7, n, 17);
    const x = Float64Array.from({ length: n }, (_, i) => draws[2 * i]);
    const ess = essBulk([x]);
    let m = 0;
    let v = 0;
    for (const xi of x) m += xi / n;
    for (const xi of x) v += (xi - m) ** 2 / (n - 1);
    expect(Math.abs(m)).toBeLessThan(4 / Math.sqrt(ess));
    // sd of the sample variance of a normal: sqrt(2 / ess)
    expect(Math.abs(v - 1)).toBeLessThan(4 * Math.sqrt(2 / ess));
    for (const s of infos) {
      expect(s.treeDepth).toBeGreaterThanOrEqual(1);
      // depth d counts accepted doublings (2^d - 1 steps); a rejected next doubling adds at most 2^d
      expect(s.nLeapfrog).toBeGreaterThanOrEqual(2 ** s.treeDepth - 1);
      expect(s.nLeapfrog).toBeLessThanOrEqual(2 ** (s.treeDepth + 1) - 1);
      expect(s.acceptStat).toBeGreaterThanOrEqual(0);
      expect(s.acceptStat).toBeLessThanOrEqual(1);
    }
  });

  it("samples a skewed target (log-normal on the log scale is Gumbel-like) with the right quantiles", () => {
    // q = log x with x ~ Exp(1): density e^q exp(-e^q); median of q is log(log 2)
    const f: LogDensityGradient = (q, g) => {
      const e = Math.exp(q[0]);
      g[0] = 1 - e;
      return q[0] - e;
    };
    const n = 8000;
    const { draws } = run(f, 1, 0.8, n, 3);
    const sorted = Float64Array.from(draws).sort();
    expect(Math.abs(sorted[n / 2] - Math.log(Math.log(2)))).toBeLessThan(0.06);
    // P(q <= 0) = P(x <= 1) = 1 - 1/e
    const below = draws.filter((v) => v <= 0).length / n;
    expect(Math.abs(below - (1 - Math.exp(-1)))).toBeLessThan(0.03);
  });

  it("flags divergences and stops the tree when the step size is far too large", () => {
    const narrow: LogDensityGradient = (q, g) => {
      g[0] = -q[0] * 1e6;
      return -0.5e6 * q[0] * q[0];
    };
    const { infos, draws } = run(narrow, 1, 1, 20, 5);
    expect(infos.every((s) => s.divergent)).toBe(true);
    expect(infos.every((s) => s.nLeapfrog === 1)).toBe(true);
    expect(draws.every((v) => v === 0)).toBe(true);
  });

  it("respects the maximum tree depth", () => {
    const { infos } = run(stdNormal, 3, 0.01, 10, 9, 4);
    expect(infos.every((s) => s.treeDepth === 4 && s.nLeapfrog === 15)).toBe(true);
  });
});
