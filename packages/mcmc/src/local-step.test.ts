import { describe, expect, it } from "vitest";
import { essBulk } from "./diagnostics/ess.js";
import { createPhasePoint } from "./leapfrog.js";
import { DiagMetric } from "./metric/diag-metric.js";
import { createNutsWorkspace, type NutsInfo, nutsTransition } from "./nuts.js";
import { createRng } from "./rng.js";
import { sample } from "./sample.js";
import { funnel, gaussian } from "./testing/targets.js";

const localStep = { maxError: 1, maxHalvings: 10 };

function moments(x: Float64Array) {
  let m = 0;
  for (const v of x) m += v / x.length;
  let s2 = 0;
  for (const v of x) s2 += (v - m) ** 2 / (x.length - 1);
  return { m, s2, ess: essBulk([x]) };
}

describe("NUTS with local step sizes (WALNUTS)", () => {
  it("leaves a Gaussian invariant with a step too large for plain leapfrog", () => {
    // sds 1 and 0.1: leapfrog is unstable for eps > 2 sd, so eps = 0.5 needs micro steps on the
    // narrow coordinate; the draws must still have the right moments
    const { dim, logDensityGradient: f } = gaussian([0, 0], [1, 0.1]);
    const metric = new DiagMetric(dim);
    const ws = createNutsWorkspace(dim, 10);
    const state = createPhasePoint(dim);
    state.logp = f(state.q, state.g);
    const rng = createRng(5);
    const info: NutsInfo = {
      acceptStat: 0,
      treeDepth: 0,
      nLeapfrog: 0,
      divergent: false,
      energy: 0,
      maxMicroSteps: 1,
    };
    const n = 6000;
    const x0 = new Float64Array(n);
    const x1 = new Float64Array(n);
    let split = 0;
    let divergent = 0;
    for (let i = 0; i < n; i++) {
      nutsTransition(ws, { f, metric, maxDeltaH: 1000, localStep }, rng, 0.5, state, info);
      x0[i] = state.q[0];
      x1[i] = state.q[1];
      if (info.maxMicroSteps > 1) split++;
      if (info.divergent) divergent++;
    }
    expect(split).toBeGreaterThan(n / 2);
    expect(divergent).toBe(0);
    for (const [x, sd] of [
      [x0, 1],
      [x1, 0.1],
    ] as const) {
      const { m, s2, ess } = moments(x);
      expect(Math.abs(m)).toBeLessThan((4 * sd) / Math.sqrt(ess));
      expect(Math.abs(s2 / (sd * sd) - 1)).toBeLessThan(4 * Math.sqrt(2 / ess));
    }
  });

  it("reaches the neck of Neal's funnel without divergences, where plain NUTS does not", async () => {
    const target = funnel(10);
    const opts = { ...target, seed: 11, chains: 4, warmup: 1000, draws: 1000 };
    const local = await sample({ ...opts, localStepSize: true });
    const plain = await sample(opts);
    const v = (r: typeof local) =>
      r.draws.map((d) => Float64Array.from({ length: d.length / 10 }, (_, i) => d[i * 10]));
    const divergences = (r: typeof local) =>
      r.stats.reduce((n, c) => n + c.divergent.reduce((a, b) => a + b, 0), 0);
    // v ~ N(0, 3): P(v < -3) = 0.1587
    const neck = (r: typeof local) => {
      const all = v(r).flatMap((c) => [...c]);
      return all.filter((x) => x < -3).length / all.length;
    };
    const all = Float64Array.from(v(local).flatMap((c) => [...c]));
    const ess = essBulk(v(local));
    const { m, s2 } = moments(all);
    expect(divergences(local)).toBeLessThanOrEqual(4);
    expect(divergences(plain)).toBeGreaterThan(40);
    expect(Math.abs(m)).toBeLessThan((4 * 3) / Math.sqrt(ess));
    expect(Math.abs(Math.sqrt(s2) - 3)).toBeLessThan(4 * 3 * Math.sqrt(1 / (2 * ess)));
    // binomial error of the tail share with the chain's effective sample size
    const se = Math.sqrt((0.1587 * 0.8413) / ess);
    expect(Math.abs(neck(local) - 0.1587)).toBeLessThan(4 * se);
    expect(neck(plain)).toBeLessThan(neck(local));
  });
});
