import { daFinal, daInit, daRestart, daUpdate } from "./adaptation/dual-averaging.js";
import { createMetricAdapter, type MetricKind } from "./adaptation/metric-adapter.js";
import { initStepSize } from "./adaptation/step-size-heuristic.js";
import { adaptationWindows } from "./adaptation/windows.js";
import { type ChainStats, createChainStats } from "./chain-stats.js";
import { finiteLogDensity, InitError, type InitStrategy, initCandidates } from "./init.js";
import { createPhasePoint } from "./leapfrog.js";
import { createNutsWorkspace, type NutsInfo, nutsTransition } from "./nuts.js";
import type { LogDensityGradient } from "./potential.js";
import { createRng } from "./rng.js";

/** Settings for one chain (everything `sample` accepts except the model and chain count). */
export interface ChainConfig {
  dim: number;
  warmup: number;
  draws: number;
  seed: number;
  /** Chain index: selects the RNG stream (seed, chain). */
  chain: number;
  /** Restart count of this chain (0 for the first run); restarts use their own RNG stream. */
  attempt?: number;
  init: InitStrategy;
  /** Unconstrained point used by the "median" init (default 0). */
  initMedian?: Float64Array;
  targetAccept: number;
  maxTreeDepth: number;
  metric: MetricKind;
  /** Energy error that marks a divergence (Stan: 1000). */
  maxDeltaH: number;
  /** Initial step size before the heuristic (Stan: 1). */
  stepSize: number;
  /** Inits whose step-size heuristic lands below this are rejected as numerically broken. */
  minInitStepSize: number;
  /** Warm start of M^-1: diagonal (dim) or dense (dim x dim). */
  inverseMetric?: Float64Array;
  /** Local step sizes within each trajectory (see NutsSettings.localStep); absent: plain NUTS. */
  localStep?: { maxError: number; maxHalvings: number };
  /** Continue from where a run of this chain ended: no initialisation, no warm-up (warmup 0). */
  resume?: ChainEnd;
}

/**
 * Where a chain ended: its last position, its sampling step size and its metric (packed, of the
 * run's metric kind). A run given these continues the chain on the same Markov kernel, so its
 * draws extend the earlier ones (with a fresh seed, fresh randomness).
 */
export interface ChainEnd {
  q: Float64Array;
  stepSize: number;
  metric: Float64Array;
}

/** One chain's output. */
export interface ChainOutput {
  /** draws x dim, row-major. */
  draws: Float64Array;
  stats: ChainStats;
  /** Step size used for sampling. */
  stepSize: number;
  /** Adapted M^-1: diagonal (dim) or dense (dim x dim, row-major). */
  inverseMetric: Float64Array;
  /** Starting point actually used, and where it came from. */
  initPoint: Float64Array;
  initSource: string;
  warnings: string[];
  /** Total gradient evaluations, warm-up included. */
  gradientEvals: number;
  /** Where it ended, to continue it (`ChainConfig.resume`). */
  end: ChainEnd;
}

/** Progress callback payload. */
export interface Progress {
  chain: number;
  iteration: number;
  total: number;
  warmup: boolean;
}

/**
 * Runs one NUTS chain: initialisation with fallbacks, Stan's windowed warm-up (step size by dual
 * averaging, metric in slow windows), then sampling with the adapted step size and metric.
 * Deterministic given (config, f).
 */
export function runChain(
  f: LogDensityGradient,
  cfg: ChainConfig,
  onProgress?: (p: Progress) => void,
): ChainOutput {
  const { dim, warmup, draws } = cfg;
  const attempt = cfg.attempt ?? 0;
  const rng = createRng(cfg.seed, cfg.chain + attempt * 1_000_003);
  const adapter = createMetricAdapter(cfg.metric, dim);
  const state = createPhasePoint(dim);
  const scratch = createPhasePoint(dim);
  const warnings: string[] = [];
  let gradientEvals = 0;
  const counted: LogDensityGradient = (q, g) => {
    gradientEvals++;
    return f(q, g);
  };

  // initialisation: first candidate with finite log p and gradient and a sane step size
  let eps = Number.NaN;
  let attempts = 0;
  let initSource = "";
  let lastProblem = "";
  if (cfg.resume) {
    if (warmup !== 0)
      throw new RangeError(`a resumed chain has no warm-up; warmup is ${warmup}, expected 0`);
    const lp = finiteLogDensity(counted, cfg.resume.q, state.g);
    if (Number.isNaN(lp))
      throw new RangeError(`chain ${cfg.chain}: log density or gradient not finite where it ended`);
    state.q.set(cfg.resume.q);
    state.logp = lp;
    adapter.restore(cfg.resume.metric);
    eps = cfg.resume.stepSize;
    initSource = "resumed";
  }
  for (const cand of cfg.resume
    ? []
    : initCandidates(dim, cfg.init, cfg.chain, rng, cfg.initMedian)) {
    attempts++;
    const lp = finiteLogDensity(counted, cand.q, state.g);
    if (Number.isNaN(lp)) {
      lastProblem = `log density or gradient not finite at the ${cand.source} init`;
      continue;
    }
    state.q.set(cand.q);
    state.logp = lp;
    adapter.start(state.q, state.g);
    if (cfg.inverseMetric) adapter.setInitial(cfg.inverseMetric);
    eps = initStepSize(counted, adapter.metric, rng, cfg.stepSize, state, scratch);
    if (!(eps >= cfg.minInitStepSize)) {
      lastProblem = `step size collapsed to ${eps} at the ${cand.source} init (log p = ${lp})`;
      continue;
    }
    initSource = cand.source;
    break;
  }
  if (!initSource) {
    throw new InitError(
      `chain ${cfg.chain}: no usable initial point after ${attempts} attempts (median, uniform(-2, 2), feasible search); last problem: ${lastProblem}`,
      cfg.chain,
      attempts,
    );
  }
  if (Array.isArray(cfg.init) && initSource !== "given") {
    warnings.push(`chain ${cfg.chain}: the given init was not usable; started from ${initSource}`);
  }
  const initPoint = Float64Array.from(state.q);

  const ws = createNutsWorkspace(dim, cfg.maxTreeDepth);
  const settings = {
    f: counted,
    metric: adapter.metric,
    maxDeltaH: cfg.maxDeltaH,
    localStep: cfg.localStep,
  };
  const da = daInit(eps);
  const daOpts = { target: cfg.targetAccept, t0: 10, gamma: 0.05, kappa: 0.75 };
  const windows = adaptationWindows(warmup);
  // Metrics learnt from gradients get useful estimates from a few draws, so (as nutpie does) they
  // are also updated early, inside Stan's initial fast buffer: after iterations 10, 25 and 50.
  const early = adapter.early && windows.initBuffer >= 50 ? [9, 24, 49] : [];
  const ends = [...early, ...windows.ends];
  const windowStart = early.length > 0 ? 0 : windows.initBuffer;
  const windowEnd = warmup - windows.termBuffer;
  let nextEnd = 0;
  const info: NutsInfo = {
    acceptStat: 0,
    treeDepth: 0,
    nLeapfrog: 0,
    divergent: false,
    energy: 0,
    maxMicroSteps: 1,
  };
  const out = new Float64Array(draws * dim);
  const stats = createChainStats(draws);
  let warmupDivergent = 0;
  const total = warmup + draws;

  for (let it = 0; it < total; it++) {
    nutsTransition(ws, settings, rng, eps, state, info);
    if (it < warmup) {
      if (info.divergent) warmupDivergent++;
      eps = daUpdate(da, info.acceptStat, daOpts);
      if (it >= windowStart && it < windowEnd && !(it > 49 && it < windows.initBuffer))
        adapter.add(state.q, state.g);
      if (nextEnd < ends.length && it === ends[nextEnd]) {
        nextEnd++;
        adapter.update();
        const e = initStepSize(counted, adapter.metric, rng, eps, state, scratch);
        if (Number.isFinite(e)) eps = e;
        daRestart(da, eps);
      }
      if (it === warmup - 1) eps = daFinal(da);
    } else {
      const k = it - warmup;
      out.set(state.q, k * dim);
      stats.divergent[k] = info.divergent ? 1 : 0;
      stats.treeDepth[k] = info.treeDepth;
      stats.stepSize[k] = eps;
      stats.energy[k] = info.energy;
      stats.acceptStat[k] = info.acceptStat;
      stats.nLeapfrog[k] = info.nLeapfrog;
      stats.logDensity[k] = state.logp;
    }
    if (onProgress) onProgress({ chain: cfg.chain, iteration: it + 1, total, warmup: it < warmup });
  }

  if (warmup > 0 && warmupDivergent === warmup) {
    warnings.push(`chain ${cfg.chain}: every warm-up transition diverged; the chain is stuck`);
  }
  if (!(eps > 1e-8)) warnings.push(`chain ${cfg.chain}: adapted step size ${eps} is degenerate`);
  return {
    draws: out,
    stats,
    stepSize: eps,
    inverseMetric: adapter.inverseMetric(),
    initPoint,
    initSource,
    warnings,
    gradientEvals,
    end: { q: Float64Array.from(state.q), stepSize: eps, metric: adapter.state() },
  };
}
