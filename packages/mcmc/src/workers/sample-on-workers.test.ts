import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createPotential } from "../posteriordb/garch11.js";
import { sample } from "../sample.js";
import { posteriordbDir } from "../testing/posteriordb-dir.js";
import { sampleOnWorkers } from "./sample-on-workers.js";

const dataUrl = new URL("garch-garch11/data.json", posteriordbDir());
const data = JSON.parse(readFileSync(dataUrl, "utf8"));
const module = new URL("../posteriordb/garch11.ts", import.meta.url).href;
const opts = { seed: 99, chains: 3, warmup: 150, draws: 100 };
/** The same run in the calling thread, on the worker module's density. */
const inThread = (o: Omit<Parameters<typeof sample>[0], "dim" | "logDensityGradient">) => {
  const model = createPotential(data);
  return sample({
    dim: model.dim,
    logDensityGradient: (q, g) => model.logDensityGradient(q, g),
    ...o,
  });
};

describe("sampleOnWorkers", () => {
  it("gives the same draws whatever the number of threads, and the same as sample", async () => {
    const one = await sampleOnWorkers({ module, data, threads: 1, ...opts });
    const two = await sampleOnWorkers({ module, data, threads: 2, ...opts });
    expect(two.draws).toEqual(one.draws);
    expect(two.stats).toEqual(one.stats);
    const local = await inThread(opts);
    expect(local.draws).toEqual(one.draws);
    expect(one.draws.every((d) => d.length === 100 * 4 && d.every(Number.isFinite))).toBe(true);
  });

  it("continues chains on workers as in-thread, from the ends of a run on workers", async () => {
    const first = await sampleOnWorkers({ module, data, threads: 2, ...opts });
    const more = { ...opts, seed: 100, warmup: 0, resume: first.ends };
    const onWorkers = await sampleOnWorkers({ module, data, threads: 2, ...more });
    const local = await inThread(more);
    expect(onWorkers.draws).toEqual(local.draws);
    expect(onWorkers.stepSize).toEqual(first.stepSize);
    expect(onWorkers.initPoints).toEqual(first.ends.map((e) => e.q));
  });

  it("reports progress from the workers", async () => {
    let last = 0;
    let calls = 0;
    await sampleOnWorkers({
      module,
      data,
      threads: 2,
      seed: 1,
      chains: 2,
      warmup: 20,
      draws: 10,
      onProgress: (p) => {
        calls++;
        last = Math.max(last, p.iteration);
      },
    });
    expect(calls).toBe(60);
    expect(last).toBe(30);
  });

  it("fails clearly when the module has no createPotential", async () => {
    const bad = new URL("../potential.ts", import.meta.url).href;
    await expect(sampleOnWorkers({ module: bad, data: {}, seed: 1, chains: 1 })).rejects.toThrow(
      /createPotential/,
    );
  });
});
