import { sample } from "@portal/mcmc";
import { describe, expect, it } from "vitest";
import { parseRunConfig } from "./run-config.js";
import { isFitted, runWindows } from "./run-windows.js";
import { simulateFund } from "./simulate.js";
import { generateSkeleton } from "./skeleton.js";
import { AUTO_CHORD } from "./whitened-transform.js";

const P = {
  alpha: 0.0005,
  beta: 1,
  F: 1,
  rho: 0.5,
  lambda: 0.5,
  sigma_n: 0.05,
  log_delta: Math.log(0.05),
  sigma_d: 0.5,
  sigma_s: 0.1,
};

// a short fund keeps the fit test-sized: 1.5 years, 2 chains x 150 + 150 (no extension rounds:
// 300 draws never reach the default bulk-ESS of 400; no restarts, which so few draws would call
// for on most windows, except where a test asks for them)
const fund = simulateFund(generateSkeleton({ seed: 31, years: 1.5 }), P, { seed: 32 });
const sampler = { chains: 2, warmup: 150, draws: 150, seed: 5, extend_rounds: 0, restart_rhat: 0 };

describe("runWindows", () => {
  it("fits expanding windows with draws of V_t and a nowcast near the true value", async () => {
    const cfg = parseRunConfig({ sampler, windows: [fund.weeks[51], fund.weeks[77]] });
    const res = (await runWindows(fund, cfg, { keepValueDraws: true, failFast: true })).filter(
      isFitted,
    );
    expect(res.map((w) => w.tau)).toEqual([52, 78]);
    for (const w of res) {
      expect(Object.keys(w.params)).toEqual([
        "alpha",
        "beta",
        "F",
        "rho",
        "lambda",
        "sigma_n",
        "log_delta",
        "sigma_d",
      ]);
      expect(w.valueDraws?.[0]).toHaveLength(150 * w.tau);
      const trueV = fund.truth?.V[w.tau - 1] ?? Number.NaN;
      // lenient: the log nowcast within 0.5 of the truth (sigma_n = 0.05, a NAV within weeks)
      expect(Math.abs(Math.log(w.nowcast.V.q50 / trueV))).toBeLessThan(0.5);
      expect(w.nowcast.V.q05).toBeLessThan(w.nowcast.V.q95);
      expect(Number.isFinite(w.params.sigma_n.rhat)).toBe(true);
      expect(w.sampler.step_size).toHaveLength(2);
      expect(w.nowcast.pme_naive).toBeGreaterThan(0);
    }
  });

  it("is deterministic in its seed", async () => {
    const cfg = parseRunConfig({ sampler: { ...sampler, warmup: 50, draws: 20 }, windows: "last" });
    const a = (await runWindows(fund, cfg)).filter(isFitted);
    const b = (await runWindows(fund, cfg)).filter(isFitted);
    expect(a[0].params.beta.mean).toBe(b[0].params.beta.mean);
  });

  it("passes moment-matched posteriors on as priors in sequential mode", async () => {
    const cfg = parseRunConfig({
      sampler: { ...sampler, warmup: 60, draws: 60 },
      windows: [fund.weeks[40], fund.weeks[77]],
      mode: "sequential",
    });
    const res = (await runWindows(fund, cfg)).filter(isFitted);
    expect(res).toHaveLength(2);
    const p2 = res[1].priors.beta;
    expect(p2?.family).toBe("normal");
    if (p2?.family === "normal") {
      expect(p2.mu).toBeCloseTo(res[0].params.beta.mean, 10);
      expect(p2.sigma / res[0].params.beta.sd).toBeCloseTo(1, 2);
    }
  });
});

describe("chord iterations of the whitening", () => {
  /** The last window, fitted briefly with these sampler settings on top of the file's. */
  const fitLast = async (over: Record<string, unknown>) =>
    (
      await runWindows(
        fund,
        parseRunConfig({
          sampler: { ...sampler, warmup: 60, draws: 30, ...over },
          windows: "last",
        }),
      )
    ).filter(isFitted)[0];

  it('chooses them per window with "auto", and gives the worker threads the same number', async () => {
    const fitWith = (whitening_iterations: number | "auto", threads = 1) =>
      fitLast({ whitening_iterations, threads });
    const auto = await fitWith("auto");
    const chosen = auto.sampler.whitening_iterations;
    expect(chosen).toBeGreaterThanOrEqual(AUTO_CHORD.min);
    expect(chosen).toBeLessThanOrEqual(AUTO_CHORD.max);
    // the workers build their potential with the chosen number: the same draws as in-thread
    const onWorkers = await fitWith("auto", 2);
    expect(onWorkers.sampler.whitening_iterations).toBe(chosen);
    expect(onWorkers.paramDraws).toEqual(auto.paramDraws);
    // a number given is used as it is
    const given = await fitWith(chosen + 2);
    expect(given.sampler.whitening_iterations).toBe(chosen + 2);
    expect(given.paramDraws).not.toEqual(auto.paramDraws);
  });

  it("takes the step given, reports it, and gives the worker threads the same step", async () => {
    const fitWith = (whitening_damping: number | "auto", threads = 1) =>
      fitLast({ whitening_iterations: 4, whitening_damping, threads });
    const plain = await fitWith(1);
    expect(plain.sampler.whitening_damping).toBe(1);
    const half = await fitWith(0.5);
    expect(half.sampler).toMatchObject({ whitening_damping: 0.5, whitening_iterations: 4 });
    expect(half.paramDraws).not.toEqual(plain.paramDraws);
    const onWorkers = await fitWith(0.5, 2);
    expect(onWorkers.paramDraws).toEqual(half.paramDraws);
    // "auto" takes one of its steps, with the iterations given
    const auto = await fitWith("auto");
    expect(AUTO_CHORD.dampings).toContain(auto.sampler.whitening_damping);
    expect(auto.sampler.whitening_iterations).toBe(4);
  });
});

describe("extension rounds", () => {
  const short = { ...sampler, warmup: 100, draws: 40 };
  const fit = async (extra: Record<string, number>) =>
    (
      await runWindows(fund, parseRunConfig({ sampler: { ...short, ...extra }, windows: "last" }))
    ).filter(isFitted)[0];
  it("runs the chains on while the window has not converged, and appends the new draws", async () => {
    const plain = await fit({ extend_rounds: 0 });
    // 2 x 40 draws cannot reach a bulk-ESS of 400: every round runs (the progress check off)
    const longer = await fit({ extend_rounds: 2, extend_min_progress: 0 });
    expect(plain.sampler).toMatchObject({
      draws_per_chain: 40,
      extension_rounds: 0,
      extension_stop: "rounds",
    });
    expect(longer.sampler).toMatchObject({
      draws_per_chain: 120,
      extension_rounds: 2,
      extension_stop: "rounds",
    });
    for (const c of [0, 1]) {
      expect(longer.paramDraws.beta[c]).toHaveLength(120);
      // the first 40 are the unextended run's: the rounds continue it
      expect(longer.paramDraws.beta[c].subarray(0, 40)).toEqual(plain.paramDraws.beta[c]);
      expect(longer.nowcast.vDraws[c].subarray(0, 40)).toEqual(plain.nowcast.vDraws[c]);
    }
    expect(longer.params.beta.ess_bulk).toBeGreaterThan(plain.params.beta.ess_bulk);
    // the first run's diagnostics are kept: those of the unextended run
    const all = [...Object.values(plain.params), plain.nowcast.V];
    expect(plain.sampler.first_run).toEqual({
      max_rhat: Math.max(...all.map((x) => x.rhat)),
      min_ess_bulk: Math.min(...all.map((x) => x.ess_bulk)),
    });
    expect(longer.sampler.first_run).toEqual(plain.sampler.first_run);
    expect(longer.sampler.gradient_evals).toBeGreaterThan(plain.sampler.gradient_evals);
    // still short of the bar after the last round: the window says so
    expect(longer.sampler.warnings.join("\n")).toMatch(
      /not converged after 120 draws per chain \(2 extension rounds\): R-hat [0-9.]+ \(\w+\), bulk-ESS \d+ \(\w+\); no more rounds: extend_rounds reached/,
    );
    // converged by lenient bars at once: no round runs
    const lenient = await fit({ extend_rounds: 2, extend_rhat: 10, extend_min_ess: 0 });
    expect(lenient.sampler).toMatchObject({ draws_per_chain: 40, extension_rounds: 0 });
    expect(lenient.paramDraws.beta).toEqual(plain.paramDraws.beta);
    expect(lenient.sampler.warnings.join("\n")).not.toMatch(/not converged/);
    expect(lenient.sampler.extension_stop).toBe("converged");
  });

  it("runs a shorter round when only bulk-ESS is short", async () => {
    const plain = await fit({ extend_rounds: 0 });
    // every R-hat passes a bar of 10; a bulk-ESS bar 10% above the first run's asks for the
    // draws that reach 1.2 x the bar at the first run's rate: 40 x (1.32 - 1), 13 more per chain
    const ess = plain.sampler.first_run.min_ess_bulk;
    const shorter = await fit({ extend_rounds: 1, extend_rhat: 10, extend_min_ess: 1.1 * ess });
    expect(shorter.sampler).toMatchObject({ draws_per_chain: 53, extension_rounds: 1 });
    expect(shorter.paramDraws.beta[0].subarray(0, 40)).toEqual(plain.paramDraws.beta[0]);
  });
});

describe("restart", () => {
  const short = { ...sampler, warmup: 100, draws: 40 };
  const fit = async (extra: Record<string, number>, threads = 1) =>
    (
      await runWindows(
        fund,
        parseRunConfig({ sampler: { ...short, threads, ...extra }, windows: "last" }),
      )
    ).filter(isFitted)[0];
  const stats = (w: Awaited<ReturnType<typeof fit>>) => ({
    max_rhat: w.sampler.first_run.max_rhat,
    min_ess_bulk: w.sampler.first_run.min_ess_bulk,
    divergences: w.sampler.divergences,
  });
  it("runs again from a run short of restart_rhat and goes on with the better run", async () => {
    const plain = await fit({ restart_rhat: 0 });
    expect(plain.sampler.restart).toBeNull();
    // 2 x 40 draws give some R-hat above 1.0001: the window restarts, once
    expect(plain.sampler.first_run.max_rhat).toBeGreaterThan(1.0001);
    const again = await fit({ restart_rhat: 1.0001 });
    const r = again.sampler.restart;
    expect(r?.first).toEqual(stats(plain));
    // a full second run (draws, not draws twice), from other points and with another seed
    expect(again.sampler.draws_per_chain).toBe(40);
    // the restart's run has the smaller R-hat (neither diverges past the bar at this length),
    // so the window is that run
    expect(r?.second.max_rhat).toBeLessThan(r?.first.max_rhat ?? 0);
    expect(r?.kept).toBe("second");
    expect(r?.second).toEqual(stats(again));
    expect(again.paramDraws.beta).not.toEqual(plain.paramDraws.beta);
    // a bar the run meets: no restart, the same draws as without one
    const met = await fit({ restart_rhat: 10 });
    expect(met.sampler.restart).toBeNull();
    expect(met.paramDraws.beta).toEqual(plain.paramDraws.beta);
    // worker threads give the same draws and the same choice
    const two = await fit({ restart_rhat: 1.0001 }, 2);
    expect(two.paramDraws.beta).toEqual(again.paramDraws.beta);
    expect(two.sampler.restart).toEqual(r);
  });

  it("continues the kept run's chains in extension rounds", async () => {
    // the restart's run is the better one here (above): the rounds continue it
    const once = await fit({ restart_rhat: 1.0001 });
    const more = await fit({ restart_rhat: 1.0001, extend_rounds: 1, extend_min_progress: 0 });
    expect(more.sampler.restart).toEqual(once.sampler.restart);
    expect(more.sampler.extension_rounds).toBe(1);
    expect(more.paramDraws.beta[0].subarray(0, 40)).toEqual(once.paramDraws.beta[0]);
    // a restart whose run went worse (a stand-in sampler moves one chain of that run far off):
    // the window goes back to the first run, on its own kernel, and the round continues it
    const plain = await fit({ restart_rhat: 0, extend_rounds: 1, extend_min_progress: 0 });
    let calls = 0;
    const badRestart: typeof sample = async (o) => {
      const r = await sample(o);
      // calls: the pilot, the run, the restart's run, the round
      if (++calls !== 3) return r;
      return { ...r, draws: r.draws.map((c, k) => (k === 0 ? c.map((x) => x + 50) : c)) };
    };
    const back = (
      await runWindows(
        fund,
        parseRunConfig({
          sampler: { ...short, restart_rhat: 1.0001, extend_rounds: 1, extend_min_progress: 0 },
          windows: "last",
        }),
        { sampler: badRestart },
      )
    ).filter(isFitted)[0];
    expect(calls).toBe(4);
    expect(back.sampler.restart?.kept).toBe("first");
    expect(back.sampler.restart?.first.max_rhat).toBe(plain.sampler.first_run.max_rhat);
    expect(back.paramDraws.beta).toEqual(plain.paramDraws.beta);
    expect(back.nowcast.vDraws).toEqual(plain.nowcast.vDraws);
  });
});

describe("runWindows failures", () => {
  it("reports a window that cannot be fitted and goes on with the others", async () => {
    // week 20: 20 comparable returns are too few for GARCH; the error names fund and window
    const cfg = parseRunConfig({
      sampler: { ...sampler, warmup: 30, draws: 10 },
      windows: [fund.weeks[19], fund.weeks[77]],
    });
    const res = await runWindows(fund, cfg);
    expect(res).toHaveLength(2);
    const [bad, good] = res;
    expect(isFitted(bad)).toBe(false);
    if (!isFitted(bad)) {
      expect(bad.error.code).toBe("fund_processor");
      expect(bad.error.context).toMatchObject({ fund: fund.name, window: fund.weeks[19] });
    }
    expect(isFitted(good)).toBe(true);
    await expect(
      runWindows(fund, { ...cfg, windows: [fund.weeks[19]] }, { failFast: true }),
    ).rejects.toThrow(/GARCH/);
  });
});

describe("runWindows on worker threads", () => {
  it("gives the same draws with two threads as in the calling thread, extension rounds too", async () => {
    const base = {
      sampler: { ...sampler, warmup: 60, draws: 30, extend_rounds: 1 },
      windows: "last",
    };
    const one = (await runWindows(fund, parseRunConfig(base))).filter(isFitted);
    const two = (
      await runWindows(fund, parseRunConfig({ ...base, sampler: { ...base.sampler, threads: 2 } }))
    ).filter(isFitted);
    expect(two[0].params.beta.mean).toBe(one[0].params.beta.mean);
    expect(two[0].nowcast.V.q50).toBe(one[0].nowcast.V.q50);
    expect(two[0].sampler.draws_per_chain).toBe(60);
  });
});
