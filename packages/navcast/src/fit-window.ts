/**
 * Fits one window (weeks 1..tau) of one fund: the fund processor, the density, NUTS from
 * @portal/mcmc on the density's Potential, and the window's outputs (MODEL.md section 6): draws of
 * every parameter and of V_t, summaries, the nowcast V_tau and sampler diagnostics.
 */
import {
  appendRun,
  type ChainEnd,
  type Progress,
  type SampleResult,
  sample,
  sampleOnWorkers,
  samplerSummary,
} from "@portal/mcmc";
import {
  createDensity,
  type DensityCoordinates,
  type NavcastDensity,
  type Potential,
} from "./density.js";
import { NavcastError } from "./errors.js";
import {
  converged,
  type ExtensionStop,
  keptRun,
  nextRound,
  type RunSoFar,
  type RunStats,
  STOP_REASONS,
  shouldRestart,
  type Worst,
  worstOf,
} from "./extension-rounds.js";
import { type ProcessorReport, processWindow } from "./fund-processor.js";
import type { FundSeries } from "./fund-series.js";
import { initialPoints } from "./initial-points.js";
import type { ParamName } from "./model-config.js";
import type { ModelData } from "./model-data.js";
import { type Summary, summarize } from "./posterior-summary.js";
import type { PriorSpec } from "./priors.js";
import { createRng, nextUint32 } from "./rng.js";
import type { RunConfig } from "./run-config.js";
import {
  modelToSegments,
  segmentPotential,
  segmentsToModel,
  segmentTransformFor,
} from "./segment-transform.js";
import {
  AUTO_CHORD,
  type ChordChoice,
  chordChoiceFor,
  type WhitenedPotential,
} from "./whitened-transform.js";
import { whitenedPotential } from "./worker-model.js";

/** The `sampler` block of section 10, plus a few extra diagnostics. */
export interface SamplerBlock {
  divergences: number;
  max_treedepth_hits: number;
  step_size: number[];
  ebfmi: number[];
  mean_treedepth: number;
  gradient_evals: number;
  /** Draws per chain, those of the extension rounds included. */
  draws_per_chain: number;
  /** Rounds of more draws run because the window had not converged (`extend_rounds`). */
  extension_rounds: number;
  /** Why the rounds ended: the window converged, or why it stopped short (extension-rounds.ts). */
  extension_stop: ExtensionStop;
  /** Chord iterations of the whitening's mean (`whitening_iterations`; 0: not whitened). */
  whitening_iterations: number;
  /** Their step omega (`whitening_damping`; 0: not whitened). */
  whitening_damping: number;
  /** The largest R-hat and smallest bulk-ESS (parameters and V_tau) before any extension round. */
  first_run: { max_rhat: number; min_ess_bulk: number };
  /**
   * A restart (`restart_rhat`): the first run and the restart's, each by its largest R-hat,
   * smallest bulk-ESS and divergent draws, and which of them the window kept (and any extension
   * rounds continued; `first_run` is that one's); null without a restart.
   */
  restart: { first: RunStats; second: RunStats; kept: "first" | "second" } | null;
  warnings: string[];
}

/** Outputs of one window. */
export interface WindowResult {
  /** 1-based window end on the fund's grid (after dropping weeks before t0). */
  tau: number;
  week: string;
  seed: number;
  params: Record<string, Summary>;
  /** Constrained draws per parameter, one array per chain. */
  paramDraws: Record<string, Float64Array[]>;
  /** V_t draws per chain, draws x tau row-major (null unless asked for). */
  valueDraws: Float64Array[] | null;
  nowcast: { V: Summary; vDraws: Float64Array[]; nav_gp_last: number | null; pme_naive: number };
  sampler: SamplerBlock;
  processor: ProcessorReport;
  /** The priors the window used (sequential mode passes them on). */
  priors: Partial<Record<ParamName, PriorSpec>>;
  /**
   * Unconstrained draws in model space (per chain, draws x dim) with the window's density and
   * data, for posterior predictive (`posteriorPredictive`); present when `keepRawDraws`.
   */
  raw?: { draws: Float64Array[]; density: NavcastDensity; data: ModelData };
}

/** Options of `fitWindow`. */
export interface FitWindowOptions {
  /** Prior overrides on top of the config's (sequential mode). */
  priors?: Partial<Record<ParamName, PriorSpec>>;
  keepValueDraws?: boolean;
  keepRawDraws?: boolean;
  /** Progress of the run (round 0) and of each extension round (1, 2, ...). */
  onProgress?: (p: Progress, round: number) => void;
  /** Alternative sampler with the same contract (tests, workers). */
  sampler?: typeof sample;
}

/** Fits weeks 1..tau of a fund already trimmed to its first contribution. */
export async function fitWindow(
  fund: FundSeries,
  tau: number,
  config: RunConfig,
  o: FitWindowOptions = {},
): Promise<WindowResult> {
  const { data, report } = processWindow(fund, tau, {
    garchMethod: config.garchMethod,
    allowIgarch: config.garchAllowIgarch,
  });
  const priors = { ...config.model.priors, ...o.priors };
  const options = { ...config.model, priors };
  const auto = config.distributionWeeks === "auto";
  // "auto" starts in threshold coordinates and keeps them where the pilot's (or the start's)
  // chains see the fund wiped out by a distribution; kappa for the other funds
  let coordinates: DensityCoordinates = {
    distributionWeeks: config.distributionWeeks === "auto" ? "threshold" : config.distributionWeeks,
  };
  let density = createDensity(data, options, coordinates);
  const s = config.sampler;
  // one stream per (run seed, fund, window end): adding a window never changes another's draws
  const seed = nextUint32(createRng(s.seed, nameKey(fund.name), tau));
  // where the chains start, in model coordinates (the density's)
  let states = initialPoints(density, data, s.chains, seed);
  // chord iterations of the whitening and their step: "auto" chooses them for the pilot at the
  // starting points, and for the run at the pilot's draws
  const autoChord = s.whiteningIterations === "auto" || s.whiteningDamping === "auto";
  let chord: ChordChoice = {
    iterations: s.whiteningIterations === "auto" ? AUTO_CHORD.min : s.whiteningIterations,
    damping: s.whiteningDamping === "auto" ? 1 : s.whiteningDamping,
  };
  const whitenedFor = (
    d: NavcastDensity,
    coords: DensityCoordinates,
    ref: Float64Array,
    c: ChordChoice = chord,
  ) =>
    whitenedPotential(d, () => createDensity(data, options, coords), ref, {
      ...s,
      whiteningIterations: c.iterations,
      whiteningDamping: c.damping,
    });
  /** "auto"'s chord iterations and step for a map at `ref`, judged at `points` (model space). */
  const autoChoice = (ref: Float64Array, points: Float64Array[]) =>
    chordChoiceFor(
      (damping) =>
        whitenedFor(density, coordinates, ref, { iterations: AUTO_CHORD.probe, damping }),
      points,
      {
        tolerance: s.whiteningTolerance,
        dampings: s.whiteningDamping === "auto" ? AUTO_CHORD.dampings : [s.whiteningDamping],
        iterations: s.whiteningIterations === "auto" ? undefined : s.whiteningIterations,
      },
    );
  // what the sampler sees: the density itself, or the density through a reparameterisation of
  // the shocks (same target; `toModel` maps the draws back)
  let potential: Potential = density;
  let reference: Float64Array | undefined;
  const run = o.sampler ?? sample;
  const common = {
    chains: s.chains,
    warmup: s.warmup,
    draws: s.draws,
    seed,
    targetAccept: s.targetAccept,
    maxTreeDepth: s.maxTreeDepth,
    metric: s.metric,
    // at most 2^local_step_halvings micro steps: a region that needs more is reported as
    // divergent rather than stalling the chain
    localStepSize:
      s.localStepError > 0
        ? { maxError: s.localStepError, maxHalvings: s.localStepHalvings }
        : false,
    onProgress: o.onProgress && ((p: Progress) => o.onProgress?.(p, 0)),
  };
  // chains on worker threads give the same draws as in-thread (mcmc's contract), only faster
  const sampleWith = (
    inits: Float64Array[],
    over: {
      warmup?: number;
      draws?: number;
      seed?: number;
      onProgress?: (p: Progress) => void;
      resume?: ChainEnd[];
    } = {},
  ): Promise<SampleResult> =>
    s.threads > 1 && !o.sampler
      ? sampleOnWorkers({
          ...common,
          ...over,
          init: inits,
          module: new URL(
            import.meta.url.endsWith(".ts") ? "./worker-model.ts" : "./worker-model.js",
            import.meta.url,
          ).href,
          data: {
            data,
            options,
            parameterization: config.parameterization,
            coordinates,
            reference,
            whiteningIterations: chord.iterations,
            whiteningDamping: chord.damping,
            whitenObservations: s.whitenObservations,
            loadingCoordinates: s.loadingCoordinates,
          },
          threads: s.threads,
          dim: density.dim,
        })
      : run({
          ...common,
          ...over,
          init: inits,
          dim: density.dim,
          logDensityGradient: (q, g) => potential.logDensityGradient(q, g),
        });
  // res: in the sampler's coordinates; model: the same draws in the density's
  let res: SampleResult;
  let model: SampleResult;
  let extensionRounds = 0;
  let stop: ExtensionStop = "rounds";
  // the worst R-hat and bulk-ESS after the first run, and after the last round
  let firstRun: Worst | undefined;
  let worst: Worst;
  let restart: SamplerBlock["restart"] = null;
  // the draws as the last convergence check extracted them (without the value paths)
  let drawn: ReturnType<typeof extractDraws>;
  let toModel: ((q: Float64Array, x: Float64Array) => void) | null = null;
  /**
   * Whitens at points[0] ("auto" judging the chord iterations at `judged`): the sampler's
   * potential and map, and the points as the chains' starts in its coordinates.
   */
  const whitenAt = (points: Float64Array[], judged: Float64Array[]) => {
    reference = points[0];
    if (autoChord) chord = autoChoice(reference, judged);
    const w = whitenedFor(density, coordinates, reference);
    potential = w;
    toModel = (q, x) => w.toModel(q, x);
    return { w, init: points.map((x) => toSampler(w, x)) };
  };
  let seen = states;
  try {
    if (config.parameterization === "whitened" && s.pilotWarmup > 0) {
      // pilot (issue 9): a short warm-up from the data-based start, whose end is where the
      // whitening's sensitivities are measured again (the first ones are taken at the start,
      // which can be far from the posterior in lambda, to which they are most sensitive); each
      // chain then starts where its pilot ended, or where a better chain's did (`pilotEnds`). The
      // maps are fixed before the run proper, so the target is unchanged.
      // "auto": the pilot's own iterations and step, judged at the starting points
      const { w: pw, init: starts } = whitenAt(states, states);
      const pilot = await sampleWith(starts, {
        warmup: s.pilotWarmup,
        draws: PILOT_DRAWS,
        seed: nextUint32(createRng(seed, 0x9170)),
        onProgress: undefined,
      });
      const toModelPoint = (q: Float64Array) => {
        const x = new Float64Array(density.dim);
        pw.toModel(q, x);
        return x;
      };
      states = pilotEnds(pilot, density.dim).map(toModelPoint);
      // what "auto" coordinates and iterations judge: every draw of the pilot's sampling phase
      if (auto || autoChord)
        seen = pilot.draws.flatMap((c) =>
          Array.from({ length: c.length / density.dim }, (_, i) =>
            toModelPoint(c.subarray(i * density.dim, (i + 1) * density.dim)),
          ),
        );
    }
    if (auto) {
      // a fund that the pilot sees wiped out (in at least half of its draws, or of the starting
      // points without a pilot) keeps threshold coordinates in every net distribution week; any
      // other fund gets kappa in all of them
      const wipedIn = seen.filter((x) => density.wipedWeeks(x).length > 0).length;
      if (2 * wipedIn < seen.length) {
        const next: DensityCoordinates = { distributionWeeks: "log_value" };
        const d = createDensity(data, options, next);
        const from = density;
        const xi = new Float64Array(density.dim);
        const convert = (x: Float64Array) =>
          d.coordinatesFromShocks(from.shocksFromCoordinates(x, xi).slice());
        states = states.map(convert);
        if (autoChord) seen = seen.map(convert);
        density = d;
        coordinates = next;
      }
    }
    potential = density;
    let init = states;
    if (config.parameterization === "segments") {
      const tr = segmentTransformFor(density, data);
      potential = segmentPotential(density, tr);
      toModel = (q, x) => segmentsToModel(tr, q, x);
      init = states.map((x) => {
        const q = new Float64Array(x.length);
        modelToSegments(tr, x, q);
        return q;
      });
    } else if (config.parameterization === "whitened") {
      init = whitenAt(states, seen).init;
    }
    res = await sampleWith(init);
    const inModel = (r: SampleResult): SampleResult => {
      const f = toModel;
      return f ? { ...r, draws: r.draws.map((c) => mapDraws(c, r.dim, f)) } : r;
    };
    model = inModel(res);
    // not converged: a restart (at most one) where the run ends far from it, then the chains go on
    // from where they ended, on the same kernel, a round at a time
    let before: RunSoFar | undefined;
    // the first run, set aside while the restart's run samples; the rounds continue it if it
    // stays the better of the two
    let setAside:
      | {
          res: SampleResult;
          model: SampleResult;
          drawn: typeof drawn;
          worst: Worst;
          stats: RunStats;
          potential: Potential;
          toModel: typeof toModel;
          reference?: Float64Array;
          chord: ChordChoice;
        }
      | undefined;
    for (;;) {
      drawn = extractDraws(density, model, tau, false);
      worst = worstOf(drawn);
      firstRun ??= worst;
      let divergences = samplerSummary(model).divergences;
      const stats = { max_rhat: worst.rhat.value, min_ess_bulk: worst.ess.value, divergences };
      if (setAside && restart === null) {
        // the restart's run is back: the rounds go on with the better of the two runs
        const first = setAside.stats;
        restart = { first, second: stats, kept: keptRun(first, stats, s) };
        if (restart.kept === "first") {
          ({ res, model, drawn, worst, chord, potential, toModel, reference } = setAside);
          firstRun = worst;
          divergences = first.divergences;
        }
      }
      if (config.parameterization === "whitened" && !setAside && shouldRestart(stats, s)) {
        // restart: the run is a second pilot, nearer the posterior than the first one's start
        setAside = {
          res,
          model,
          drawn,
          worst,
          stats,
          potential,
          toModel,
          reference,
          chord,
        };
        firstRun = undefined;
        states = pilotEnds(model, density.dim);
        res = await sampleWith(whitenAt(states, thinDraws(model, PILOT_DRAWS)).init, {
          seed: nextUint32(createRng(seed, 0x2e57)),
        });
        model = inModel(res);
        continue;
      }
      if (converged(worst, s)) {
        stop = "converged";
        break;
      }
      const now: RunSoFar = { worst, drawsPerChain: model.config.draws, divergences };
      const next = nextRound(now, before, extensionRounds, s.chains, s);
      if ("stop" in next) {
        stop = next.stop;
        break;
      }
      before = now;
      const round = ++extensionRounds;
      const more = await sampleWith(
        res.ends.map((e) => e.q),
        {
          warmup: 0,
          draws: next.draws,
          seed: nextUint32(createRng(seed, 0xe7, extensionRounds)),
          onProgress: o.onProgress && ((p) => o.onProgress?.(p, round)),
          resume: res.ends,
        },
      );
      res = appendRun(res, more);
      model = appendRun(model, inModel(more));
    }
  } catch (e) {
    throw new NavcastError(
      "sampler",
      `sampling failed for fund ${fund.name}, window ${fund.weeks[tau - 1]}: ${(e as Error).message}`,
      {
        fund: fund.name,
        window: fund.weeks[tau - 1],
      },
      { cause: e },
    );
  }
  const { paramDraws, valueDraws, vDraws } = o.keepValueDraws
    ? extractDraws(density, model, tau, true)
    : drawn;
  const params: Record<string, Summary> = {};
  for (const [k, v] of Object.entries(paramDraws)) params[k] = summarize(v);
  const sm = samplerSummary(model);
  if (stop !== "converged")
    sm.warnings.push(
      `not converged after ${model.config.draws} draws per chain (${extensionRounds} extension rounds): ` +
        `R-hat ${worst.rhat.value.toFixed(3)} (${worst.rhat.name}), bulk-ESS ${worst.ess.value.toFixed(0)} (${worst.ess.name}); ` +
        `no more rounds: ${STOP_REASONS[stop]}`,
    );
  let navLast: number | null = null;
  for (let i = tau - 1; i >= 0; i--) {
    if (!Number.isNaN(data.navGp[i])) {
      navLast = data.navGp[i];
      break;
    }
  }
  const used: Partial<Record<ParamName, PriorSpec>> = {};
  density.names.forEach((n, k) => {
    used[n] = density.priors[k].spec;
  });
  return {
    tau,
    week: fund.weeks[tau - 1],
    seed,
    params,
    paramDraws,
    valueDraws,
    nowcast: { V: summarize(vDraws), vDraws, nav_gp_last: navLast, pme_naive: report.pme[tau - 1] },
    sampler: {
      divergences: sm.divergences,
      max_treedepth_hits: sm.maxTreeDepthHits,
      step_size: sm.stepSize,
      ebfmi: sm.ebfmi,
      mean_treedepth: sm.meanTreeDepth,
      gradient_evals: sm.gradientEvals,
      draws_per_chain: model.config.draws,
      extension_rounds: extensionRounds,
      extension_stop: stop,
      whitening_iterations: config.parameterization === "whitened" ? chord.iterations : 0,
      whitening_damping: config.parameterization === "whitened" ? chord.damping : 0,
      first_run: { max_rhat: firstRun.rhat.value, min_ess_bulk: firstRun.ess.value },
      restart,
      warnings: sm.warnings,
    },
    processor: report,
    priors: used,
    raw: o.keepRawDraws ? { draws: model.draws, density, data } : undefined,
  };
}

/** Draws of the pilot's sampling phase: enough to tell each chain's typical log density. */
const PILOT_DRAWS = 25;
/**
 * A chain whose pilot draws sit, on average, this far below the best chain's in log density is
 * in a region of small mass (about e^-10 of the best chain's, give or take the ratio of the modes'
 * widths) that it may not leave within the run. The mean of 25 draws has a standard error near 4
 * on these funds, so chains in one mode seldom differ by this much; when they do, moving one only
 * starts it elsewhere in the same mode.
 */
const PILOT_BEHIND = 10;

/**
 * Where each chain starts after the pilot (sampler coordinates): its last pilot draw, unless its
 * pilot sat PILOT_BEHIND below the best chain's in mean log density; such a chain starts instead
 * from a draw of a chain that did not (spread over their draws, so that the chains start apart).
 * Issue 9: in funds wiped out by a distribution, chains that the pilot left in a minor mode stayed
 * there (seed 1's fund 130: two chains at mean log density -322, two at -307; R-hat 1.7).
 */
export function pilotEnds(pilot: SampleResult, dim: number): Float64Array[] {
  const n = (c: Float64Array) => c.length / dim;
  const draw = (c: Float64Array, i: number) => c.slice(i * dim, (i + 1) * dim);
  const means = pilot.stats.map((st) => {
    let sum = 0;
    for (const v of st.logDensity) sum += v;
    return sum / st.logDensity.length;
  });
  const best = Math.max(...means);
  const good = means.flatMap((m, c) => (m >= best - PILOT_BEHIND ? [c] : []));
  let k = 0;
  return pilot.draws.map((c, chain) => {
    if (good.includes(chain)) return draw(c, n(c) - 1);
    // the k-th moved chain takes a draw from good chain k mod |good|, a quarter of the pilot
    // apart from the previous one it gave
    const from = pilot.draws[good[k % good.length]];
    const at = Math.max(
      0,
      n(from) - 1 - (Math.floor(k / good.length) + 1) * Math.floor(n(from) / 4),
    );
    k++;
    return draw(from, at);
  });
}

/** `n` draws of each chain (draws x dim; all where it has fewer), evenly spaced, ending at its last. */
function thinDraws(r: SampleResult, n: number): Float64Array[] {
  return r.draws.flatMap((c) => {
    const m = c.length / r.dim;
    const k = Math.min(n, m);
    return Array.from({ length: k }, (_, i) => {
      const at = m - 1 - Math.floor((i * m) / k);
      return c.slice(at * r.dim, (at + 1) * r.dim);
    });
  });
}

/** Model coordinates to the whitened potential's sampler coordinates. */
function toSampler(w: WhitenedPotential, x: Float64Array): Float64Array {
  const q = new Float64Array(x.length);
  w.toSampler(x, q);
  return q;
}

function nameKey(name: string): number {
  // FNV-1a of the fund name
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** One chain's draws (draws x dim) mapped from sampler to model coordinates. */
function mapDraws(
  chain: Float64Array,
  dim: number,
  toModel: (q: Float64Array, x: Float64Array) => void,
): Float64Array {
  const out = new Float64Array(chain.length);
  const x = new Float64Array(dim);
  for (let i = 0; i < chain.length / dim; i++) {
    toModel(chain.subarray(i * dim, (i + 1) * dim), x);
    out.set(x, i * dim);
  }
  return out;
}

function extractDraws(d: NavcastDensity, res: SampleResult, tau: number, keepV: boolean) {
  const paramDraws: Record<string, Float64Array[]> = {};
  for (const n of d.names) paramDraws[n] = [];
  const valueDraws: Float64Array[] | null = keepV ? [] : null;
  const vDraws: Float64Array[] = [];
  const lv = new Float64Array(tau);
  for (const chain of res.draws) {
    const n = chain.length / res.dim;
    const cols = d.names.map(() => new Float64Array(n));
    const vt = new Float64Array(n);
    const vpath = keepV ? new Float64Array(n * tau) : null;
    for (let i = 0; i < n; i++) {
      const q = chain.subarray(i * res.dim, (i + 1) * res.dim);
      const p = d.constrainedParams(q);
      d.names.forEach((nm, k) => {
        cols[k][i] = p[nm];
      });
      d.logValuePath(q, lv);
      vt[i] = Math.exp(lv[tau - 1]);
      if (vpath) for (let t = 0; t < tau; t++) vpath[i * tau + t] = Math.exp(lv[t]);
    }
    d.names.forEach((nm, k) => {
      paramDraws[nm].push(cols[k]);
    });
    vDraws.push(vt);
    if (valueDraws && vpath) valueDraws.push(vpath);
  }
  return { paramDraws, valueDraws, vDraws };
}
