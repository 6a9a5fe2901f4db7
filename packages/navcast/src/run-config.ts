/**
 * The run config as the CLI reads it (snake_case JSON), resolved with defaults into the model,
 * processor, window and sampler options, and its hash (`config_hash`, seed section 6.1).
 */
import { canonicalJson, sha256Hex } from "@portal/hashing";
import { ConfigError } from "./errors.js";
import { GARCH_METHODS, type GarchMethod } from "./garch.js";
import { DEFAULT_MODEL_OPTIONS, type ModelOptions, type ParamName } from "./model-config.js";
import type { PriorSpec } from "./priors.js";
import { AUTO_CHORD, type WhitenedObservations } from "./whitened-transform.js";

/** Sampler settings (passed to @portal/mcmc). */
export interface SamplerSettings {
  chains: number;
  warmup: number;
  draws: number;
  seed: number;
  targetAccept: number;
  maxTreeDepth: number;
  metric: "diag" | "dense" | "diag-grad" | "lowrank" | "unit";
  /** Worker threads for the chains (1: in the calling thread). Draws do not depend on it. */
  threads: number;
  /**
   * Local step sizes within trajectories (mcmc's localStepSize, WALNUTS): the energy error at
   * which a step is split into micro steps; 0 turns them off.
   */
  localStepError: number;
  /**
   * Most halvings of a step within a trajectory (up to 2^n micro steps); a step that needs more is
   * counted as divergent.
   */
  localStepHalvings: number;
  /**
   * Chord iterations of the whitened parameterisation's mean (whitened-transform.ts): more
   * follow the curvature of the NAV terms further, each at the cost of one more pass through
   * the model's recursions per gradient. "auto": per window, the fewest (3 to 12) that bring the
   * mean within `whiteningTolerance` of its limit at every draw of the pilot
   * (`chordIterationsFor`), or the fewest where the iterations do not settle; the pilot's own
   * are chosen the same way at the starting points.
   */
  whiteningIterations: number | "auto";
  /**
   * How close to its limit "auto" wants the mean, in whitened scales (`AUTO_CHORD.tolerance`,
   * 0.1, by default); smaller takes more iterations.
   */
  whiteningTolerance: number;
  /**
   * The step omega of each chord iteration, m_{j+1} = m_j + omega d^2 (h_j - m_j): a number in
   * (0, 1] (1, the default: the plain chord step), or "auto": per window, the larger of 1 and 1/2
   * whose iterations settle at every draw of the pilot (at the starting points for the pilot's
   * own; `chordChoiceFor`), 1 where neither does. Half steps converge where the plain ones fall
   * into a two-cycle (the NAV terms pulling more than twice as hard as the map assumes), but on
   * the issue-9 study's funds "auto" gained one four-year fund and lost another
   * (bench/results/issue-9-study.md, eighth session).
   */
  whiteningDamping: number | "auto";
  /**
   * The observations whose pull the whitened parameterisation follows: "navs" (the GP's NAVs) or
   * "all" (NAVs, distributions and secondary prices).
   */
  whitenObservations: WhitenedObservations;
  /**
   * Whether the whitened parameterisation samples F and rho as the loading on the comparable,
   * F rho, and the fund's own log volatility, log(F sqrt(1 - rho^2)) (loading-transform.ts).
   */
  loadingCoordinates: boolean;
  /**
   * Most rounds of more draws per chain while the window has not converged: each round continues
   * the chains where they ended, with their step size and metric (mcmc's `resume`), so the draws
   * of every round are one longer run of the same sampler. A round is `draws` long, or shorter
   * when only bulk-ESS is short (extension-rounds.ts says how long). 0: never extend.
   */
  extendRounds: number;
  /** A window has converged when every parameter and V_tau has R-hat below this... */
  extendRhat: number;
  /** ...and a bulk-ESS of at least this. */
  extendMinEss: number;
  /**
   * Rounds stop when the last one moved neither the worst bulk-ESS nor R-hat by at least this
   * share of what chains that mix would have gained (extension-rounds.ts); 0: never stop for this.
   */
  extendMinProgress: number;
  /**
   * Warm-up iterations of a pilot run of the whitened parameterisation, after which its
   * sensitivities are measured again where the pilot ended (0: no pilot).
   */
  pilotWarmup: number;
  /**
   * A restart of the whitened parameterisation: when the run's chains end at some R-hat of at
   * least this, or with more divergent draws than the health bar allows (0.1%), the run becomes a
   * second pilot. The whitening is measured again at its draws (its reference, the chord
   * iterations), the chains start where it ended (`pilotEnds`), and a full warm-up and run
   * follow. The window keeps the better of the two runs (`keptRun`) and any extension rounds
   * continue that one. Once per window, before any extension round. 0: never.
   */
  restartRhat: number;
}

/** Everything a run needs, defaults filled in. */
export interface RunConfig {
  model: ModelOptions;
  garchMethod: GarchMethod;
  garchAllowIgarch: boolean;
  /** "quarterly" (section 6 default), "last", or explicit window-end dates. */
  windows: "quarterly" | "last" | string[];
  mode: "independent" | "sequential";
  /**
   * How the shocks are presented to the sampler (the target density is the same): "xi" as in
   * MODEL.md section 3, "segments" (the fixed bridge transform of segment-transform.ts), or
   * "whitened" (the parameter-dependent whitening of whitened-transform.ts).
   */
  parameterization: "xi" | "segments" | "whitened";
  /**
   * The shock coordinate of net distribution weeks: "threshold" (zeta: xi where the value
   * survives the flow or is wiped out, on a log scale near the shock at which the distribution
   * takes all the value), "log_value" (kappa, the log value after the flow), "xi", or "auto":
   * zeta in a fund that the pilot's chains (or the starting points) see wiped out by a
   * distribution, kappa in the others; density.ts explains them. The target is the same.
   */
  distributionWeeks: "auto" | "threshold" | "log_value" | "xi";
  sampler: SamplerSettings;
}

/** Defaults: MODEL.md sections 4-6 and the 4 x 1000 x 1000 sampler. */
export const DEFAULT_RUN_CONFIG: RunConfig = {
  model: DEFAULT_MODEL_OPTIONS,
  garchMethod: "garch",
  garchAllowIgarch: false,
  windows: "quarterly",
  mode: "independent",
  // the shocks conditionally whitened given the parameters (issue 9's study: with local step
  // sizes, 0 divergences on funds where the plain xi form gave 38-580)
  parameterization: "whitened",
  // issue 9: in wiped-out weeks kappa's posterior sits near -1e7 and drags F with it; zeta keeps
  // xi's unit scale there (seed 1's fund 25: R-hat 1.654 with kappa, 1.008 with zeta), while
  // kappa mixed better in funds whose value survives large distributions (fund 1: 11 divergences
  // with zeta, 0 with kappa; fund 5: R-hat 1.069 and 1.004)
  distributionWeeks: "auto",
  sampler: {
    chains: 4,
    warmup: 1000,
    draws: 1000,
    seed: 1,
    targetAccept: 0.8,
    maxTreeDepth: 10,
    // diagonal plus low rank (MODEL.md section 11): on a simulated 10-year fund the diagonal
    // metric ran at tree depth 10 with min bulk-ESS 1.4; this one at depth 5 with min ESS 99
    metric: "lowrank",
    threads: 1,
    localStepError: 1,
    // issue 9: with 6, funds wiped out by a distribution had 11-76 divergent draws from steps
    // across the threshold (seed 1's funds 45, 110, 141, 191); with 10, none, at a similar cost
    localStepHalvings: 10,
    // issue 9: three iterations left the mean of long funds far from its limit, and the chains
    // of seed 1's ten-year funds 11 and 13 stuck (R-hat 1.52 and 1.13); with ten and six, both
    // healthy in the first run (1.006, 1.005); "auto" spends them only where they are needed
    whiteningIterations: "auto",
    whiteningTolerance: AUTO_CHORD.tolerance,
    whiteningDamping: 1,
    // issue 9: "all" also follows the distributions, which pin log V_{t-1} as NAVs pin log B_t;
    // it mixed funds with large or tight distributions better (seed 1's funds 27, 145, 2, 7,
    // 11, 63) but others worse (52, 59, sigma_n under 0.01), 37 of seed 1's first 45 four-year
    // funds healthy against 38 with the NAVs alone, at 1.7 times the time
    whitenObservations: "navs",
    // issue 9: on its own it mixed funds 29 and 11 better, but together with the distributions'
    // whitening it lost funds 13 and 14 (|rho| near 1), which each change alone kept healthy
    loadingCoordinates: false,
    pilotWarmup: 150,
    // issue 9: about a third of the unhealthy fits had chains that mix, only slowly (min bulk-ESS
    // 130-500 at R-hat 1.01-1.03); running them longer is what a careful analyst would do
    extendRounds: 3,
    extendRhat: 1.01,
    extendMinEss: 400,
    // issue 9: chains that do not mix gained nothing from three rounds (four-year funds 19, 86,
    // 91: bulk-ESS 59 -> 59, 7 -> 7, 22 -> 14) and cost the most (fund 91: 1,401 s)
    extendMinProgress: 0.25,
    // issue 9: the ten-year funds 5, 10 and 19 ended their first run at R-hat 1.13, 1.15 and
    // 1.047 with chains that more draws barely moved (fund 5: 1.0103 after ten rounds, 11,000
    // draws per chain); restarted from their runs, each was healthy with at most one round (19
    // of 20 healthy, from 16; four-year funds 93 of 100 either way: 87 gained, 97 lost).
    // 1.03 is where a restart (a warm-up and a run) costs what the rounds would if R-hat's excess
    // over 1 shrank in proportion to the draws, as in chains that mix
    restartRhat: 1.03,
  },
};

const KNOWN = new Set([
  "nav_lag_weeks",
  "category1",
  "priors",
  "garch_method",
  "garch_allow_igarch",
  "windows",
  "mode",
  "parameterization",
  "distribution_weeks",
  "sampler",
]);
const SAMPLER_KEYS: Record<string, keyof SamplerSettings> = {
  chains: "chains",
  warmup: "warmup",
  draws: "draws",
  seed: "seed",
  target_accept: "targetAccept",
  max_treedepth: "maxTreeDepth",
  metric: "metric",
  threads: "threads",
  local_step_error: "localStepError",
  local_step_halvings: "localStepHalvings",
  whitening_iterations: "whiteningIterations",
  whitening_tolerance: "whiteningTolerance",
  whitening_damping: "whiteningDamping",
  whiten_observations: "whitenObservations",
  loading_coordinates: "loadingCoordinates",
  pilot_warmup: "pilotWarmup",
  extend_rounds: "extendRounds",
  extend_rhat: "extendRhat",
  extend_min_ess: "extendMinEss",
  extend_min_progress: "extendMinProgress",
  restart_rhat: "restartRhat",
};

/** Parses a config object (already JSON-decoded); unknown keys are errors, not ignored. */
export function parseRunConfig(raw: unknown): RunConfig {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError("config must be a JSON object", {});
  }
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!KNOWN.has(k)) throw new ConfigError(`unknown config key ${k}`, { field: k });
  }
  const d = DEFAULT_RUN_CONFIG;
  const method = (o.garch_method ?? d.garchMethod) as GarchMethod;
  if (!GARCH_METHODS.includes(method)) {
    throw new ConfigError(
      `garch_method must be one of ${GARCH_METHODS.join(", ")}, got ${String(method)}`,
      {
        field: "garch_method",
      },
    );
  }
  const windows = o.windows ?? d.windows;
  if (
    !(
      windows === "quarterly" ||
      windows === "last" ||
      (Array.isArray(windows) && windows.every((w) => typeof w === "string"))
    )
  ) {
    throw new ConfigError('windows must be "quarterly", "last" or a list of ISO dates', {
      field: "windows",
    });
  }
  const mode = o.mode ?? d.mode;
  if (mode !== "independent" && mode !== "sequential") {
    throw new ConfigError('mode must be "independent" or "sequential"', { field: "mode" });
  }
  const parameterization = o.parameterization ?? d.parameterization;
  if (!["xi", "segments", "whitened"].includes(parameterization as string)) {
    throw new ConfigError('parameterization must be "xi", "segments" or "whitened"', {
      field: "parameterization",
    });
  }
  const distributionWeeks = o.distribution_weeks ?? d.distributionWeeks;
  if (!["auto", "threshold", "log_value", "xi"].includes(distributionWeeks as string)) {
    throw new ConfigError('distribution_weeks must be "auto", "threshold", "log_value" or "xi"', {
      field: "distribution_weeks",
    });
  }
  const sampler = { ...d.sampler };
  if (o.sampler !== undefined) {
    if (typeof o.sampler !== "object" || o.sampler === null) {
      throw new ConfigError("sampler must be an object", { field: "sampler" });
    }
    for (const [k, v] of Object.entries(o.sampler as Record<string, unknown>)) {
      const key = SAMPLER_KEYS[k];
      if (!key) throw new ConfigError(`unknown sampler key ${k}`, { field: `sampler.${k}` });
      (sampler as Record<string, unknown>)[key] = v;
    }
  }
  const wi = sampler.whiteningIterations;
  if (wi !== "auto" && !(Number.isInteger(wi) && wi >= 1 && wi <= 32)) {
    throw new ConfigError(
      'sampler.whitening_iterations must be "auto" or a whole number from 1 to 32',
      {
        field: "sampler.whitening_iterations",
      },
    );
  }
  const wt = sampler.whiteningTolerance;
  if (!(typeof wt === "number" && wt > 0 && wt < 1)) {
    throw new ConfigError("sampler.whitening_tolerance must be a number between 0 and 1", {
      field: "sampler.whitening_tolerance",
    });
  }
  const wd = sampler.whiteningDamping;
  if (wd !== "auto" && !(typeof wd === "number" && wd > 0 && wd <= 1)) {
    throw new ConfigError('sampler.whitening_damping must be "auto" or a number in (0, 1]', {
      field: "sampler.whitening_damping",
    });
  }
  if (!["navs", "all"].includes(sampler.whitenObservations)) {
    throw new ConfigError('sampler.whiten_observations must be "navs" or "all"', {
      field: "sampler.whiten_observations",
    });
  }
  if (typeof sampler.loadingCoordinates !== "boolean") {
    throw new ConfigError("sampler.loading_coordinates must be true or false", {
      field: "sampler.loading_coordinates",
    });
  }
  if (
    !Number.isInteger(sampler.extendRounds) ||
    sampler.extendRounds < 0 ||
    sampler.extendRounds > 20
  ) {
    throw new ConfigError("sampler.extend_rounds must be an integer from 0 to 20", {
      field: "sampler.extend_rounds",
    });
  }
  if (!(typeof sampler.extendRhat === "number" && sampler.extendRhat > 1)) {
    throw new ConfigError("sampler.extend_rhat must be a number above 1", {
      field: "sampler.extend_rhat",
    });
  }
  if (!(typeof sampler.extendMinEss === "number" && sampler.extendMinEss >= 0)) {
    throw new ConfigError("sampler.extend_min_ess must be a number of at least 0", {
      field: "sampler.extend_min_ess",
    });
  }
  if (
    !(
      typeof sampler.extendMinProgress === "number" &&
      sampler.extendMinProgress >= 0 &&
      sampler.extendMinProgress <= 1
    )
  ) {
    throw new ConfigError("sampler.extend_min_progress must be a number from 0 to 1", {
      field: "sampler.extend_min_progress",
    });
  }
  const rr = sampler.restartRhat;
  if (!(typeof rr === "number" && (rr === 0 || rr > 1))) {
    throw new ConfigError("sampler.restart_rhat must be 0 (never restart) or a number above 1", {
      field: "sampler.restart_rhat",
    });
  }
  const priors = (o.priors ?? {}) as Partial<Record<ParamName, PriorSpec>>;
  if (typeof priors !== "object" || Array.isArray(priors)) {
    throw new ConfigError("priors must be an object keyed by parameter", { field: "priors" });
  }
  if (o.garch_allow_igarch !== undefined && typeof o.garch_allow_igarch !== "boolean") {
    throw new ConfigError("garch_allow_igarch must be true or false", {
      field: "garch_allow_igarch",
    });
  }
  return {
    model: {
      navLagWeeks: (o.nav_lag_weeks ?? d.model.navLagWeeks) as number,
      category1: (o.category1 ?? d.model.category1) as ModelOptions["category1"],
      priors,
    },
    garchMethod: method,
    garchAllowIgarch: (o.garch_allow_igarch ?? d.garchAllowIgarch) as boolean,
    windows: windows as RunConfig["windows"],
    mode,
    parameterization: parameterization as RunConfig["parameterization"],
    distributionWeeks: distributionWeeks as RunConfig["distributionWeeks"],
    sampler,
  };
}

/** JSON with object keys sorted at every level and no whitespace (RFC 8785, @portal/hashing). */
export { canonicalJson };

/** SHA-256 (hex) of the canonical JSON of `v`. */
export function sha256Json(v: unknown): string {
  return sha256Hex(canonicalJson(v));
}

/** config_hash: SHA-256 of the resolved config (defaults filled in), so equal runs hash equal. */
export function configHash(c: RunConfig): string {
  return sha256Json(c);
}
