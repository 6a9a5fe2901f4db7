import type { MetricKind } from "./adaptation/metric-adapter.js";
import type { ChainConfig, ChainEnd, ChainOutput, Progress } from "./chain.js";
import type { ChainStats } from "./chain-stats.js";
import type { InitStrategy } from "./init.js";

/** Sampler settings shared by {@link sample} and `sampleOnWorkers`. */
export interface SamplerOptions {
  /** Number of chains (default 4). */
  chains?: number;
  /** Warm-up iterations per chain (default 1000). */
  warmup?: number;
  /** Saved draws per chain (default 1000). */
  draws?: number;
  /** Run seed; chain c uses the RNG stream (seed, c). */
  seed: number;
  /** Starting points (default "median"); see {@link InitStrategy}. */
  init?: InitStrategy;
  /** Unconstrained point for the "median" init, e.g. the prior medians (default 0). */
  initMedian?: Float64Array;
  /** Dual-averaging target acceptance (default 0.8). */
  targetAccept?: number;
  /** Maximum tree depth (default 10). */
  maxTreeDepth?: number;
  /**
   * Metric (default "diag"): "diag" is Stan's diagonal adaptation, "dense" Stan's dense one,
   * "diag-grad" a diagonal adapted from draws and gradients (nutpie), "lowrank" that diagonal plus
   * a low-rank correction from draws and gradients (nutpie's low-rank metric), "unit" no adaptation.
   */
  metric?: MetricKind;
  /** Energy error that flags a divergence (default 1000). */
  maxDeltaH?: number;
  /**
   * Local step sizes within each trajectory (WALNUTS, Bou-Rabee et al. 2025; default off): a step
   * whose energy error exceeds maxError (default 1) is split into 2, 4, ... up to 2^maxHalvings
   * (default 10) micro steps, and the orbit stays reversible. Reaches the narrow parts of funnels
   * that a single adapted step size diverges in; the target is unchanged. `true` takes defaults.
   */
  localStepSize?: boolean | { maxError?: number; maxHalvings?: number };
  /** Step size to start the heuristic from (default 1, as Stan); e.g. the previous window's. */
  stepSize?: number;
  /**
   * Warm start of the metric: M^-1 as its diagonal (dim entries) or dense (dim x dim, row-major,
   * used by metric "dense"; the others take its diagonal), e.g. the previous window's
   * `res.inverseMetric[c]`. Adaptation continues from it.
   */
  inverseMetric?: Float64Array;
  /**
   * Continue each chain from where an earlier run with the same options ended (its `ends`, one per
   * chain): no initialisation and no warm-up (warmup must be 0), the same step size and metric, so
   * the new draws extend the earlier ones. Give another seed, or the randomness repeats.
   */
  resume?: ChainEnd[];
  /** Called after every iteration of every chain. */
  onProgress?: (p: Progress) => void;
}

/** Output of a run. */
export interface SampleResult {
  dim: number;
  /** One per chain: draws x dim, row-major, on the unconstrained space. */
  draws: Float64Array[];
  /** One per chain: per-draw sampler diagnostics. */
  stats: ChainStats[];
  /** One per chain: the step size used for sampling. */
  stepSize: number[];
  /** One per chain: adapted M^-1 (diagonal, or dense row-major for metric "dense"). */
  inverseMetric: Float64Array[];
  /** One per chain: where it started and which init strategy produced it. */
  initPoints: Float64Array[];
  initSources: string[];
  /** Gradient evaluations per chain, warm-up included. */
  gradientEvals: number[];
  /** Problems found while sampling (stuck chains, unusable given inits). */
  warnings: string[];
  /** One per chain: where it ended, to continue it (`resume`). */
  ends: ChainEnd[];
  /** The settings used, defaults filled in. */
  config: Omit<ChainConfig, "chain" | "dim" | "resume"> & { chains: number; resume?: ChainEnd[] };
}

/** Fills defaults and checks the options once, at the API boundary. */
export function resolveOptions(dim: number, o: SamplerOptions): SampleResult["config"] {
  if (!Number.isInteger(dim) || dim < 1)
    throw new RangeError(`dim must be a positive integer, got ${dim}`);
  const chains = o.chains ?? 4;
  const warmup = o.warmup ?? 1000;
  const draws = o.draws ?? 1000;
  const maxTreeDepth = o.maxTreeDepth ?? 10;
  const targetAccept = o.targetAccept ?? 0.8;
  for (const [k, v] of [
    ["chains", chains],
    ["warmup", warmup],
    ["draws", draws],
    ["maxTreeDepth", maxTreeDepth],
  ] as const) {
    if (!Number.isInteger(v) || v < 0)
      throw new RangeError(`${k} must be a non-negative integer, got ${v}`);
  }
  if (chains < 1) throw new RangeError("chains must be at least 1");
  if (maxTreeDepth < 1 || maxTreeDepth > 30)
    throw new RangeError(`maxTreeDepth must be in 1..30, got ${maxTreeDepth}`);
  if (!(targetAccept > 0 && targetAccept < 1))
    throw new RangeError(`targetAccept must be in (0, 1), got ${targetAccept}`);
  const init = o.init ?? "median";
  if (Array.isArray(init)) {
    if (init.length < chains)
      throw new RangeError(`init has ${init.length} points for ${chains} chains`);
    for (const p of init)
      if (p.length !== dim)
        throw new RangeError(`an init point has length ${p.length}, expected ${dim}`);
  }
  if (o.initMedian && o.initMedian.length !== dim)
    throw new RangeError("initMedian has the wrong length");
  const cfg: SampleResult["config"] = {
    chains,
    warmup,
    draws,
    seed: o.seed,
    init,
    targetAccept,
    maxTreeDepth,
    metric: o.metric ?? "diag",
    maxDeltaH: o.maxDeltaH ?? 1000,
    stepSize: o.stepSize ?? 1,
    minInitStepSize: 1e-10,
  };
  if (!(cfg.stepSize > 0 && Number.isFinite(cfg.stepSize)))
    throw new RangeError(`stepSize must be positive, got ${o.stepSize}`);
  if (o.initMedian) cfg.initMedian = o.initMedian;
  if (o.localStepSize) {
    const l = o.localStepSize === true ? {} : o.localStepSize;
    const maxError = l.maxError ?? 1;
    const maxHalvings = l.maxHalvings ?? 10;
    if (!(maxError > 0 && Number.isFinite(maxError)))
      throw new RangeError(`localStepSize.maxError must be positive, got ${l.maxError}`);
    if (!Number.isInteger(maxHalvings) || maxHalvings < 0 || maxHalvings > 20)
      throw new RangeError(`localStepSize.maxHalvings must be in 0..20, got ${l.maxHalvings}`);
    cfg.localStep = { maxError, maxHalvings };
  }
  if (o.resume) {
    if (o.resume.length < chains)
      throw new RangeError(`resume has ${o.resume.length} chain ends for ${chains} chains`);
    if (warmup !== 0)
      throw new RangeError(`resumed chains have no warm-up; warmup is ${warmup}, expected 0`);
    for (const e of o.resume) {
      if (e.q.length !== dim)
        throw new RangeError(`a chain end has length ${e.q.length}, expected ${dim}`);
      if (!(e.stepSize > 0 && Number.isFinite(e.stepSize)))
        throw new RangeError(`a chain end has step size ${e.stepSize}`);
    }
    cfg.resume = o.resume;
  }
  if (o.inverseMetric) {
    const n = o.inverseMetric.length;
    if (n !== dim && n !== dim * dim)
      throw new RangeError(`inverseMetric has length ${n}, expected ${dim} or ${dim * dim}`);
    if (!o.inverseMetric.every((x) => Number.isFinite(x)))
      throw new RangeError("inverseMetric has non-finite entries");
    cfg.inverseMetric = o.inverseMetric;
  }
  return cfg;
}

/** Assembles chain outputs (in chain order) into a result. */
export function collectResult(
  dim: number,
  config: SampleResult["config"],
  outs: ChainOutput[],
): SampleResult {
  return {
    dim,
    draws: outs.map((o) => o.draws),
    stats: outs.map((o) => o.stats),
    stepSize: outs.map((o) => o.stepSize),
    inverseMetric: outs.map((o) => o.inverseMetric),
    initPoints: outs.map((o) => o.initPoint),
    initSources: outs.map((o) => o.initSource),
    gradientEvals: outs.map((o) => o.gradientEvals),
    warnings: outs.flatMap((o) => o.warnings),
    ends: outs.map((o) => o.end),
    config,
  };
}

/**
 * A run followed by its continuation (a run given `resume: first.ends`) as one run: each chain's
 * draws and per-draw diagnostics in order, the continuation's step sizes, metrics and ends, the
 * first run's starting points, and the gradient evaluations of both.
 */
export function appendRun(first: SampleResult, more: SampleResult): SampleResult {
  if (more.dim !== first.dim || more.draws.length !== first.draws.length)
    throw new RangeError(
      `cannot append a run of ${more.draws.length} chains in ${more.dim} dimensions to one of ${first.draws.length} in ${first.dim}`,
    );
  const cat = <T extends Float64Array | Int32Array | Uint8Array>(a: T, b: T): T => {
    const out = new (a.constructor as new (n: number) => T)(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  return {
    dim: first.dim,
    draws: first.draws.map((d, c) => cat(d, more.draws[c])),
    stats: first.stats.map((s, c) => {
      const m = more.stats[c];
      return {
        divergent: cat(s.divergent, m.divergent),
        treeDepth: cat(s.treeDepth, m.treeDepth),
        stepSize: cat(s.stepSize, m.stepSize),
        energy: cat(s.energy, m.energy),
        acceptStat: cat(s.acceptStat, m.acceptStat),
        nLeapfrog: cat(s.nLeapfrog, m.nLeapfrog),
        logDensity: cat(s.logDensity, m.logDensity),
      };
    }),
    stepSize: more.stepSize,
    inverseMetric: more.inverseMetric,
    initPoints: first.initPoints,
    initSources: first.initSources,
    gradientEvals: first.gradientEvals.map((g, c) => g + more.gradientEvals[c]),
    warnings: [...first.warnings, ...more.warnings],
    ends: more.ends,
    config: { ...first.config, draws: first.config.draws + more.config.draws },
  };
}
