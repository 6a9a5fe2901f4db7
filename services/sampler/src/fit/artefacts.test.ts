import type { Summary } from "@portal/navcast";
import { parquetReadObjects } from "hyparquet";
import { describe, expect, it } from "vitest";
import { fullStatsParquet, posteriorsParquet } from "./artefacts.js";
import type { FittedWindow } from "./fit-task.js";
import { taskConfig } from "./fit-task.js";

const summary = (mean: number): Summary => ({
  mean,
  sd: 1,
  q05: mean - 2,
  q25: mean - 1,
  q50: mean,
  q75: mean + 1,
  q95: mean + 2,
  rhat: 1.001,
  ess_bulk: 400,
  ess_tail: 380,
  mcse_mean: 0.05,
});

const window: FittedWindow = {
  window: "2020-06-26",
  tau: 25,
  seed: 7,
  params: { alpha: summary(0.01), beta: summary(1.2) },
  nowcast: { V: summary(100), nav_gp_last: 98, pme_naive: 101 },
  sampler: {
    divergences: 0,
    max_treedepth_hits: 0,
    step_size: [0.3, 0.3],
    ebfmi: [1, 1],
    mean_treedepth: 3,
    gradient_evals: 100,
    draws_per_chain: 1000,
    extension_rounds: 0,
    extension_stop: "converged",
    whitening_iterations: 3,
    whitening_damping: 1,
    first_run: { max_rhat: 1.001, min_ess_bulk: 900 },
    restart: null,
    warnings: [],
  },
  draws: {
    alpha: [Float64Array.of(1, 2, 3), Float64Array.of(4, 5, 6)],
    beta: [Float64Array.of(7, 8, 9), Float64Array.of(10, 11, 12)],
    V: [Float64Array.of(13, 14, 15), Float64Array.of(16, 17, 18)],
  },
};

describe("posteriorsParquet", () => {
  it("writes one row per chain and draw with a column per quantity", async () => {
    const rows = await parquetReadObjects({
      file: posteriorsParquet(window).buffer as ArrayBuffer,
    });
    expect(rows).toHaveLength(6);
    expect(rows[4]).toEqual({ chain: 1, draw: 1, alpha: 5, beta: 11, V: 17 });
  });

  it("refuses draws of different lengths", () => {
    const bad = { ...window, draws: { ...window.draws, V: [Float64Array.of(1)] } };
    expect(() => posteriorsParquet(bad)).toThrow(/draws of \w+ do not match the other parameters/);
  });
});

describe("fullStatsParquet", () => {
  it("writes one row per parameter and the nowcast, sorted", async () => {
    const rows = await parquetReadObjects({ file: fullStatsParquet(window).buffer as ArrayBuffer });
    expect(rows.map((r) => r.quantity)).toEqual(["V", "alpha", "beta"]);
    expect(rows[0]).toMatchObject({ mean: 100, q05: 98, q95: 102, ess_bulk: 400 });
  });
});

describe("taskConfig", () => {
  it("restricts the run's config to the task's window", () => {
    const raw = { windows: "quarterly", sampler: { chains: 2 } };
    expect(taskConfig(raw, "2020-06-26").windows).toEqual(["2020-06-26"]);
    expect(taskConfig(raw, "last").windows).toBe("last");
    expect(taskConfig(raw, "all").windows).toBe("quarterly");
    expect(taskConfig(raw, "last").sampler.chains).toBe(2);
  });
});
