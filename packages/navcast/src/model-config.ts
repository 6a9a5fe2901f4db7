/**
 * The model config (MODEL.md sections 4-6): priors of every parameter, the NAV lag, how the
 * category-1 estimates enter. Defaults follow the section-5 table; the data-dependent defaults of
 * log_delta and sigma_d use the fund processor's delta_hat and sigma_d_hat.
 */
import { ConfigError } from "./errors.js";
import type { ModelData } from "./model-data.js";
import { type CompiledPrior, compilePrior, type PriorSpec, type Support } from "./priors.js";

/** Parameter names exactly as MODEL.md section 5 (and the category-1 pair when sampled). */
export type ParamName =
  | "alpha"
  | "beta"
  | "F"
  | "rho"
  | "lambda"
  | "sigma_n"
  | "log_delta"
  | "sigma_d"
  | "sigma_s"
  | "alpha_c"
  | "beta_cM";

/** The section-5 parameters in the order they are laid out in the unconstrained vector. */
export const CORE_PARAMS: readonly ParamName[] = [
  "alpha",
  "beta",
  "F",
  "rho",
  "lambda",
  "sigma_n",
  "log_delta",
  "sigma_d",
];

const INF = Number.POSITIVE_INFINITY;

/** The natural support of each parameter; a prior must live inside it. */
export const PARAM_SUPPORT: Readonly<Record<ParamName, Support>> = {
  alpha: { lower: -INF, upper: INF },
  beta: { lower: -INF, upper: INF },
  F: { lower: 0, upper: INF },
  rho: { lower: -1, upper: 1 },
  lambda: { lower: 0, upper: 1 },
  sigma_n: { lower: 0, upper: INF },
  log_delta: { lower: -INF, upper: INF },
  sigma_d: { lower: 0, upper: INF },
  sigma_s: { lower: 0, upper: INF },
  alpha_c: { lower: -INF, upper: INF },
  beta_cM: { lower: -INF, upper: INF },
};

/** Options of the model itself (the sampler and window options live in the run config). */
export interface ModelOptions {
  /** Integer lag L >= 0 of the GP's appraisal, in weeks (default 2). */
  navLagWeeks: number;
  /** "fixed": alpha_c, beta_cM are data; "prior": parameters with Normal(estimate, se) priors. */
  category1: "fixed" | "prior";
  /** Prior overrides by parameter name. */
  priors: Partial<Record<ParamName, PriorSpec>>;
}

/** Defaults of MODEL.md sections 3-5. */
export const DEFAULT_MODEL_OPTIONS: ModelOptions = {
  navLagWeeks: 2,
  category1: "fixed",
  priors: {},
};

/** The section-5 default prior of `name` given the fund processor's estimates. */
export function defaultPrior(name: ParamName, d: ModelData): PriorSpec {
  switch (name) {
    case "alpha":
      return { family: "normal", mu: 0, sigma: 0.003 };
    case "beta":
      return { family: "normal", mu: 1, sigma: 0.5 };
    case "F":
      return { family: "lognormal", mu: 0, sigma: 0.5 };
    case "rho":
      return { family: "uniform", lower: -1, upper: 1 };
    case "lambda":
      return { family: "beta", a: 2, b: 2 };
    case "sigma_n":
      return { family: "halfnormal", sigma: 0.1 };
    case "log_delta":
      return { family: "normal", mu: Math.log(d.deltaHat), sigma: 1 };
    case "sigma_d":
      return { family: "halfnormal", sigma: d.sigmaDHat + 0.5 };
    case "sigma_s":
      return { family: "halfnormal", sigma: 0.1 };
    case "alpha_c":
      return { family: "normal", mu: d.alphaC, sigma: d.alphaCSe };
    case "beta_cM":
      return { family: "normal", mu: d.betaCM, sigma: d.betaCMSe };
  }
}

/** Which parameters a model on `d` samples, in layout order. */
export function activeParams(d: ModelData, o: ModelOptions): ParamName[] {
  const names = [...CORE_PARAMS];
  if (d.secondary.some((v) => !Number.isNaN(v))) names.push("sigma_s");
  if (o.category1 === "prior") names.push("alpha_c", "beta_cM");
  return names;
}

/** Validates options and compiles the prior of every active parameter. */
export function compilePriors(
  d: ModelData,
  o: ModelOptions,
): { names: ParamName[]; priors: CompiledPrior[] } {
  if (!(Number.isInteger(o.navLagWeeks) && o.navLagWeeks >= 0)) {
    throw new ConfigError(`nav_lag_weeks must be an integer >= 0, got ${o.navLagWeeks}`, {
      field: "nav_lag_weeks",
    });
  }
  if (o.category1 !== "fixed" && o.category1 !== "prior") {
    throw new ConfigError(`category1 must be "fixed" or "prior", got ${String(o.category1)}`, {
      field: "category1",
    });
  }
  for (const k of Object.keys(o.priors)) {
    if (!(k in PARAM_SUPPORT)) {
      throw new ConfigError(`priors: unknown parameter ${k}`, { field: `priors.${k}` });
    }
  }
  const names = activeParams(d, o);
  const priors = names.map((n) =>
    compilePrior(n, o.priors[n] ?? defaultPrior(n, d), PARAM_SUPPORT[n]),
  );
  return { names, priors };
}
