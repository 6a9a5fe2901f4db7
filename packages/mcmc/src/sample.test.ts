import { describe, expect, it } from "vitest";
import { sample } from "./sample.js";
import { appendRun } from "./sample-options.js";
import { samplerSummary, summarize } from "./summarize.js";
import { correlatedGaussian, funnel, gaussian, studentT } from "./testing/targets.js";

describe("sample on known targets", () => {
  it.each(["diag", "diag-grad", "dense", "lowrank"] as const)(
    "recovers Gaussians with scales over four orders of magnitude (%s metric)",
    async (metric) => {
      const scales = [0.01, 0.1, 1, 10, 100];
      const means = [1, -2, 0.5, 30, -100];
      const res = await sample({
        ...gaussian(means, scales),
        seed: 19,
        chains: 4,
        warmup: 500,
        draws: 1000,
        metric,
      });
      const sum = summarize(res);
      sum.forEach((s, i) => {
        expect(Math.abs(s.mean - means[i])).toBeLessThan(4 * s.mcseMean);
        expect(Math.abs(s.sd - scales[i])).toBeLessThan(4 * s.mcseSd);
        expect(s.rhat).toBeLessThan(1.01);
      });
      expect(samplerSummary(res).divergences).toBe(0);
    },
  );

  it("samples a strongly correlated Gaussian (rho = 0.99) with the dense metric at a large step size", async () => {
    const target = correlatedGaussian(1, 10, 0.99);
    const dense = await sample({
      ...target,
      seed: 5,
      chains: 4,
      warmup: 500,
      draws: 1000,
      metric: "dense",
    });
    const diag = await sample({
      ...target,
      seed: 5,
      chains: 4,
      warmup: 500,
      draws: 1000,
      metric: "diag",
    });
    const [x, y] = summarize(dense);
    expect(Math.abs(x.mean)).toBeLessThan(4 * x.mcseMean);
    expect(Math.abs(y.mean)).toBeLessThan(4 * y.mcseMean);
    expect(Math.abs(x.sd - 1)).toBeLessThan(4 * x.mcseSd);
    expect(Math.abs(y.sd - 10)).toBeLessThan(4 * y.mcseSd);
    // the dense metric whitens the target: far larger steps and shallower trees than diagonal
    const sd = samplerSummary(dense);
    const sg = samplerSummary(diag);
    expect(Math.min(...sd.stepSize)).toBeGreaterThan(3 * Math.max(...sg.stepSize));
    expect(sd.meanTreeDepth).toBeLessThan(sg.meanTreeDepth);
    // the learned covariance is close to the truth: [1, 9.9; 9.9, 100]
    const c = dense.inverseMetric[0];
    expect(c[1] / Math.sqrt(c[0] * c[3])).toBeGreaterThan(0.97);
  });

  it("samples a 50-d Gaussian with 5 tight non-axis directions with the low-rank metric", async () => {
    // precision I + sum_k 400 a_k a_k' with a_k spread over many coordinates (MODEL.md section 11)
    const d = 50;
    const dirs = Array.from({ length: 5 }, (_, k) =>
      Float64Array.from({ length: d }, (_, i) => (i >= k * 8 ? 1 : 0)),
    );
    const target = {
      dim: d,
      logDensityGradient(q: Float64Array, g: Float64Array) {
        let lp = 0;
        for (let i = 0; i < d; i++) {
          g[i] = -q[i];
          lp -= 0.5 * q[i] * q[i];
        }
        for (const a of dirs) {
          let t = 0;
          for (let i = 0; i < d; i++) t += a[i] * q[i];
          lp -= 200 * t * t;
          for (let i = 0; i < d; i++) g[i] -= 400 * t * a[i];
        }
        return lp;
      },
    };
    const opts = { ...target, seed: 12, chains: 2, warmup: 500, draws: 500 };
    const low = samplerSummary(await sample({ ...opts, metric: "lowrank" }));
    const diag = samplerSummary(await sample({ ...opts, metric: "diag" }));
    // the tight directions are learnt: far fewer gradients per draw than Stan's diagonal
    expect(low.gradientEvals).toBeLessThan(diag.gradientEvals / 3);
    expect(low.divergences).toBe(0);
  });

  it("recovers the quantiles of a heavy-tailed Student-t(3)", async () => {
    const res = await sample({ ...studentT(3, 2), seed: 8, chains: 4, warmup: 500, draws: 1500 });
    // qt(c(0.05, 0.25, 0.5), 3) in R
    const q05 = -2.353363434801823;
    const q25 = -0.7648923284575553;
    for (const s of summarize(res)) {
      expect(Math.abs(s.q5 - q05)).toBeLessThan(4 * s.mcseQ5);
      expect(Math.abs(s.q95 + q05)).toBeLessThan(4 * s.mcseQ95);
      expect(Math.abs(s.q50)).toBeLessThan(0.15);
      expect(Math.abs(s.q25 - q25)).toBeLessThan(0.15);
      expect(s.rhat).toBeLessThan(1.01);
    }
  });

  it("reports divergences in a centred funnel", async () => {
    const res = await sample({ ...funnel(10), seed: 3, chains: 4, warmup: 500, draws: 500 });
    const s = samplerSummary(res);
    expect(s.divergences).toBeGreaterThan(0);
    const counted = res.stats.reduce((n, c) => n + c.divergent.reduce((a, b) => a + b, 0), 0);
    expect(counted).toBe(s.divergences);
    for (const d of res.draws) expect(d.every(Number.isFinite)).toBe(true);
  });
});

describe("sample", () => {
  const target = gaussian([0, 0], [1, 2]);
  it("is reproducible: same seed, same draws; another seed, other draws", async () => {
    const a = await sample({ ...target, seed: 7, chains: 2, warmup: 100, draws: 50 });
    const b = await sample({ ...target, seed: 7, chains: 2, warmup: 100, draws: 50 });
    const c = await sample({ ...target, seed: 8, chains: 2, warmup: 100, draws: 50 });
    expect(a.draws).toEqual(b.draws);
    expect(a.stats).toEqual(b.stats);
    expect(a.draws[0]).not.toEqual(c.draws[0]);
    // a chain's draws do not depend on how many chains run
    const one = await sample({ ...target, seed: 7, chains: 1, warmup: 100, draws: 50 });
    expect(one.draws[0]).toEqual(a.draws[0]);
  });

  it("reports progress and respects the maximum tree depth", async () => {
    const seen: number[] = [];
    const res = await sample({
      ...gaussian([0], [1]),
      seed: 1,
      chains: 1,
      warmup: 10,
      draws: 20,
      maxTreeDepth: 1,
      onProgress: (p) => seen.push(p.iteration),
    });
    expect(seen.length).toBe(30);
    expect(seen[29]).toBe(30);
    expect(Math.max(...res.stats[0].treeDepth)).toBeLessThanOrEqual(1);
    expect(Math.max(...res.stats[0].nLeapfrog)).toBeLessThanOrEqual(1);
  });

  it("warm-starts from a given inverse metric and step size", async () => {
    const scales = [0.01, 1, 100];
    const res = await sample({
      ...gaussian([0, 0, 0], scales),
      seed: 4,
      chains: 2,
      warmup: 0,
      draws: 300,
      metric: "unit",
      inverseMetric: Float64Array.from(scales.map((s) => s * s)),
      stepSize: 0.9,
    });
    // no adaptation at all, yet the scales are right: short trees and no divergences
    expect(samplerSummary(res).meanTreeDepth).toBeLessThan(3);
    const s = summarize(res);
    expect(Math.abs(s[2].sd / 100 - 1)).toBeLessThan(0.25);
  });

  it.each(["diag", "dense", "diag-grad", "lowrank", "unit"] as const)(
    "continues each chain where it ended, with its step size and metric (%s metric)",
    async (metric) => {
      const means = [1, -2, 0.5, 30];
      const scales = [0.01, 0.1, 1, 10];
      const target = gaussian(means, scales);
      const first = await sample({
        ...target,
        seed: 3,
        chains: 2,
        warmup: 300,
        draws: 500,
        metric,
      });
      const more = await sample({
        ...target,
        seed: 4,
        chains: 2,
        warmup: 0,
        draws: 500,
        metric,
        resume: first.ends,
      });
      first.ends.forEach((end, c) => {
        const d = first.dim;
        expect(end.q).toEqual(first.draws[c].slice(499 * d, 500 * d));
        expect(more.initPoints[c]).toEqual(end.q);
        expect(more.initSources[c]).toBe("resumed");
        expect(more.stepSize[c]).toBe(first.stepSize[c]);
        expect(more.stats[c].stepSize.every((e) => e === first.stepSize[c])).toBe(true);
        expect(more.inverseMetric[c]).toEqual(first.inverseMetric[c]);
        // no initialisation and no warm-up: the gradient count is that of the draws alone
        expect(more.gradientEvals[c]).toBe(more.stats[c].nLeapfrog.reduce((a, b) => a + b, 0) + 1);
      });
      const all = appendRun(first, more);
      expect(all.draws.map((d) => d.length)).toEqual([1000 * first.dim, 1000 * first.dim]);
      expect(all.draws[1].subarray(500 * first.dim)).toEqual(more.draws[1]);
      expect(all.stats[0].divergent.length).toBe(1000);
      expect(all.stats[0].logDensity.subarray(0, 500)).toEqual(first.stats[0].logDensity);
      expect(all.ends).toBe(more.ends);
      expect(all.config.draws).toBe(1000);
      if (metric === "unit") return;
      // the first run and its continuation, as one run, come from the target
      const sum = summarize(all);
      sum.forEach((x, i) => {
        expect(Math.abs(x.mean - means[i])).toBeLessThan(4 * x.mcseMean);
        expect(Math.abs(x.sd - scales[i])).toBeLessThan(4 * x.mcseSd);
      });
    },
  );

  it("refuses to resume with a warm-up or with ends that do not fit", async () => {
    const target = gaussian([0, 0], [1, 1]);
    const first = await sample({ ...target, seed: 1, chains: 2, warmup: 50, draws: 10 });
    await expect(
      sample({ ...target, seed: 2, chains: 2, warmup: 10, resume: first.ends }),
    ).rejects.toThrow(/no warm-up/);
    await expect(
      sample({ ...target, seed: 2, chains: 3, warmup: 0, resume: first.ends }),
    ).rejects.toThrow(/2 chain ends for 3 chains/);
    const wrong = first.ends.map((e) => ({ ...e, metric: new Float64Array(5) }));
    await expect(
      sample({ ...target, seed: 2, chains: 2, warmup: 0, resume: wrong }),
    ).rejects.toThrow(/metric state has length 5/);
  });

  it("rejects bad options at the boundary", async () => {
    await expect(
      sample({ ...target, seed: 1, inverseMetric: new Float64Array(3) }),
    ).rejects.toThrow(RangeError);
    await expect(sample({ ...target, seed: 1, stepSize: -1 })).rejects.toThrow(RangeError);
    await expect(sample({ ...target, seed: 1, chains: 0 })).rejects.toThrow(RangeError);
    await expect(sample({ ...target, seed: 1, targetAccept: 1.2 })).rejects.toThrow(RangeError);
    await expect(
      sample({ ...target, seed: 1, init: [new Float64Array(3)], chains: 1 }),
    ).rejects.toThrow(RangeError);
    await expect(sample({ ...target, seed: 1.5 })).rejects.toThrow(RangeError);
  });
});
