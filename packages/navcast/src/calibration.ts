/**
 * Simulation-based calibration (MODEL.md section 9): draw parameters from the default priors,
 * simulate a fund, fit its last window, and record the rank of each true value among the
 * posterior draws and whether the central 50% and 90% intervals hold it. Used by the CI-sized
 * test and by bench/calibration.ts for the full study.
 */
import type { sample } from "@portal/mcmc";
import { type ExtensionStop, type RunStats, worstOf } from "./extension-rounds.js";
import { fitWindow } from "./fit-window.js";
import { trimToFirstContribution } from "./fund-processor.js";
import { createRng, type RngState, uniform } from "./rng.js";
import { parseRunConfig } from "./run-config.js";
import { drawParams, simulateFund } from "./simulate.js";
import { generateSkeleton } from "./skeleton.js";

/** Options of a calibration study. */
export interface CalibrationOptions {
  seed: number;
  replications: number;
  /** Index of the first replication (default 0): a study can be split over processes. */
  first?: number;
  /** Fit only these replications (instead of `first` and `replications`). */
  only?: number[];
  years: number;
  chains: number;
  warmup: number;
  draws: number;
  /** Run-config keys on top of the defaults (snake_case, as in a run config file). */
  config?: { sampler?: Record<string, unknown>; [key: string]: unknown };
  /** Thin the draws to this many for ranks (default all). */
  rankDraws?: number;
  sampler?: typeof sample;
  onReplication?: (i: number, r: ReplicationResult) => void;
}

/** One replication: true values, ranks among draws, interval hits, sampler health. */
export interface ReplicationResult {
  /** Its index in the study (absent in results written before 2026-11-26's fourth session). */
  replication?: number;
  truth: Record<string, number>;
  /** rank of the truth among L posterior draws, 0..L */
  rank: Record<string, number>;
  draws: number;
  in50: Record<string, boolean>;
  in90: Record<string, boolean>;
  maxRhat: number;
  /** Smallest bulk-ESS over the parameters and V_tau. */
  minEss: number;
  divergences: number;
  nowcastLogError: number;
  /** Wall time of the fit. */
  seconds: number;
  /** Rounds of more draws the fit ran because it had not converged (`extend_rounds`). */
  extensionRounds?: number;
  /**
   * Chord iterations of the whitening (`whitening_iterations`; absent in results written before
   * 2026-11-26's sixth session).
   */
  whiteningIterations?: number;
  /** Their step (`whitening_damping`; absent in results written before 2026-11-26's eighth session). */
  whiteningDamping?: number;
  /** Why the rounds ended (`extension_stop`). */
  extensionStop?: ExtensionStop;
  /** Draws per chain, those of the extension rounds included. */
  drawsPerChain?: number;
  /** maxRhat and minEss before the extension rounds. */
  firstRun?: { maxRhat: number; minEss: number };
  /** A restart's two runs and which was kept (`restart_rhat`), or null; absent before 2026-11-27. */
  restart?: { first: RunSummary; second: RunSummary; kept: "first" | "second" } | null;
}

/**
 * Replication i of a study: parameters drawn from the default priors and a fund simulated from
 * them, trimmed to its first contribution. The fit must use the prior the truth was drawn from
 * and the model that simulated the data: h, alpha_c, beta_cM are the simulation's, and
 * delta_hat, sigma_d_hat the reference values drawParams centres the default priors on
 * (MODEL.md section 10's `external`).
 */
export function replicationFund(seed: number, i: number, years: number) {
  const truth = drawParams(createRng(seed, 0xcab, i));
  const sk = generateSkeleton({ seed: seed * 1000 + i, years });
  const sim = simulateFund(sk, truth, { seed: seed * 1000 + i });
  const fund = trimToFirstContribution({
    ...sim,
    external: {
      h: sim.truth?.h,
      alphaC: sk.alphaC,
      betaCM: sk.betaCM,
      deltaHat: 0.05,
      sigmaDHat: 1,
    },
  }).fund;
  return { truth, fund };
}

/** Runs the study; quantity "V_tau" is the nowcast. */
export async function runCalibration(o: CalibrationOptions): Promise<ReplicationResult[]> {
  const out: ReplicationResult[] = [];
  const config = parseRunConfig({
    ...o.config,
    windows: "last",
    sampler: {
      ...o.config?.sampler,
      chains: o.chains,
      warmup: o.warmup,
      draws: o.draws,
      seed: o.seed,
    },
  });
  const first = o.first ?? 0;
  const indices = o.only ?? Array.from({ length: o.replications }, (_, k) => first + k);
  for (const i of indices) {
    const { truth, fund } = replicationFund(o.seed, i, o.years);
    const t0 = performance.now();
    const w = await fitWindow(fund, fund.weeks.length, config, { sampler: o.sampler });
    const seconds = (performance.now() - t0) / 1000;
    const tv: Record<string, number> = { ...truth, V_tau: fund.truth?.V[w.tau - 1] ?? Number.NaN };
    const drawsOf: Record<string, Float64Array[]> = { ...w.paramDraws, V_tau: w.nowcast.vDraws };
    const rank: Record<string, number> = {};
    const in50: Record<string, boolean> = {};
    const in90: Record<string, boolean> = {};
    let L = 0;
    const ties = createRng(o.seed, 0x71e, i);
    for (const [k, chains] of Object.entries(drawsOf)) {
      const all = thin(chains, o.rankDraws);
      L = all.length;
      const t = tv[k];
      rank[k] = rankOf(t, all, ties);
      const sorted = Float64Array.from(all).sort();
      const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
      in50[k] = t >= q(0.25) && t <= q(0.75);
      in90[k] = t >= q(0.05) && t <= q(0.95);
    }
    const worst = worstOf({ paramDraws: w.paramDraws, vDraws: w.nowcast.vDraws });
    const res: ReplicationResult = {
      replication: i,
      truth: tv,
      rank,
      draws: L,
      in50,
      in90,
      maxRhat: worst.rhat.value,
      minEss: worst.ess.value,
      divergences: w.sampler.divergences,
      nowcastLogError: Math.log(w.nowcast.V.q50 / tv.V_tau),
      seconds,
      extensionRounds: w.sampler.extension_rounds,
      extensionStop: w.sampler.extension_stop,
      whiteningIterations: w.sampler.whitening_iterations,
      whiteningDamping: w.sampler.whitening_damping,
      drawsPerChain: w.sampler.draws_per_chain,
      firstRun: {
        maxRhat: w.sampler.first_run.max_rhat,
        minEss: w.sampler.first_run.min_ess_bulk,
      },
      restart: w.sampler.restart && {
        first: runStats(w.sampler.restart.first),
        second: runStats(w.sampler.restart.second),
        kept: w.sampler.restart.kept,
      },
    };
    out.push(res);
    o.onReplication?.(i, res);
  }
  return out;
}

/**
 * Replications as a study's results JSON gives them back: JSON writes NaN as null, and an R-hat or
 * bulk-ESS of null is NaN (unconverged), not 0; results without an index are numbered by their
 * place, as a study from replication 0 writes them.
 */
export function replicationsFromJson(results: ReplicationResult[]): ReplicationResult[] {
  return results.map((r, k) => ({
    ...r,
    replication: r.replication ?? k,
    maxRhat: r.maxRhat ?? Number.NaN,
    minEss: r.minEss ?? Number.NaN,
  }));
}

/** A run before its extension rounds, as a replication reports it. */
export interface RunSummary {
  maxRhat: number;
  minEss: number;
  divergences: number;
}

const runStats = (r: RunStats): RunSummary => ({
  maxRhat: r.max_rhat,
  minEss: r.min_ess_bulk,
  divergences: r.divergences,
});

/**
 * Rank of the truth among draws: how many lie below it, ties with it broken at random (uniform
 * over the places among the tied draws), so that the rank of a point mass is uniform too.
 */
export function rankOf(truth: number, draws: number[], rng: RngState): number {
  let below = 0;
  let tied = 0;
  for (const x of draws) {
    if (x < truth) below++;
    else if (x === truth) tied++;
  }
  return tied === 0 ? below : below + Math.floor(uniform(rng) * (tied + 1));
}

function thin(chains: Float64Array[], n: number | undefined): number[] {
  const all: number[] = [];
  for (const c of chains) for (const x of c) all.push(x);
  if (!n || n >= all.length) return all;
  const step = all.length / n;
  return Array.from({ length: n }, (_, i) => all[Math.floor(i * step)]);
}

/** Coverage per quantity and pooled: share of replications whose interval holds the truth. */
export function coverage(results: ReplicationResult[]): {
  per: Record<string, { c50: number; c90: number }>;
  pooled50: number;
  pooled90: number;
} {
  const per: Record<string, { c50: number; c90: number }> = {};
  let h50 = 0;
  let h90 = 0;
  let n = 0;
  for (const k of Object.keys(results[0]?.in90 ?? {})) {
    const a = results.filter((r) => r.in50[k]).length / results.length;
    const b = results.filter((r) => r.in90[k]).length / results.length;
    per[k] = { c50: a, c90: b };
    h50 += a * results.length;
    h90 += b * results.length;
    n += results.length;
  }
  return { per, pooled50: h50 / n, pooled90: h90 / n };
}
