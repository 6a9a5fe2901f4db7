/**
 * Prior families and the unconstraining transforms of MODEL.md section 5. A prior's support fixes
 * its transform (real: identity; (lo, inf): log; (-inf, hi): reflected log; (a, b): logit, and
 * atanh for (-1, 1) as the table prescribes), and the log-Jacobian is part of the density.
 */
import { ConfigError } from "./errors.js";
import { HALF_LOG_2PI, logGamma, logNormalCdf, normalCdf } from "./special.js";

/** A prior as written in the model config. */
export type PriorSpec =
  | { family: "normal"; mu: number; sigma: number }
  | { family: "lognormal"; mu: number; sigma: number }
  | { family: "halfnormal"; sigma: number }
  | {
      family: "truncnormal";
      mu: number;
      sigma: number;
      lower?: number | null;
      upper?: number | null;
    }
  | { family: "beta"; a: number; b: number }
  | { family: "uniform"; lower: number; upper: number };

/** Open interval (lower, upper); infinite ends allowed. */
export interface Support {
  lower: number;
  upper: number;
}

/** Transform from the unconstrained line to a support. */
export type TransformKind = "identity" | "lower" | "upper" | "logit" | "atanh";

/** A prior compiled for evaluation: log-density of the constrained value and its derivative. */
export interface CompiledPrior {
  readonly spec: PriorSpec;
  readonly support: Support;
  readonly transform: TransformKind;
  /** log p(x) (normalised) and d log p / dx written to out[0], out[1]. */
  logDensity(x: number, out: Float64Array): void;
}

const INF = Number.POSITIVE_INFINITY;

/** The support of a prior family with its arguments. */
export function priorSupport(spec: PriorSpec): Support {
  switch (spec.family) {
    case "normal":
      return { lower: -INF, upper: INF };
    case "lognormal":
    case "halfnormal":
      return { lower: 0, upper: INF };
    case "truncnormal":
      return { lower: spec.lower ?? -INF, upper: spec.upper ?? INF };
    case "beta":
      return { lower: 0, upper: 1 };
    case "uniform":
      return { lower: spec.lower, upper: spec.upper };
  }
}

function checkPositive(name: string, v: number, param: string): void {
  if (!(Number.isFinite(v) && v > 0)) {
    throw new ConfigError(`prior of ${param}: ${name} must be a positive number, got ${v}`, {
      parameter: param,
      argument: name,
    });
  }
}

function checkFinite(name: string, v: number, param: string): void {
  if (!Number.isFinite(v)) {
    throw new ConfigError(`prior of ${param}: ${name} must be a finite number, got ${v}`, {
      parameter: param,
      argument: name,
    });
  }
}

/**
 * Validates `spec` for parameter `param` whose natural support is `paramSupport` and compiles it.
 * Throws ConfigError when an argument is invalid or the prior puts mass outside the support.
 */
export function compilePrior(param: string, spec: PriorSpec, paramSupport: Support): CompiledPrior {
  const s = priorSupport(spec);
  switch (spec.family) {
    case "normal":
    case "lognormal":
    case "truncnormal":
      checkFinite("mu", spec.mu, param);
      checkPositive("sigma", spec.sigma, param);
      break;
    case "halfnormal":
      checkPositive("sigma", spec.sigma, param);
      break;
    case "beta":
      checkPositive("a", spec.a, param);
      checkPositive("b", spec.b, param);
      break;
    case "uniform":
      checkFinite("lower", spec.lower, param);
      checkFinite("upper", spec.upper, param);
      break;
    default:
      throw new ConfigError(
        `prior of ${param}: unknown family ${JSON.stringify((spec as { family: unknown }).family)}`,
        { parameter: param },
      );
  }
  if (!(s.lower < s.upper)) {
    throw new ConfigError(
      `prior of ${param}: lower bound ${s.lower} is not below upper ${s.upper}`,
      {
        parameter: param,
      },
    );
  }
  if (s.lower < paramSupport.lower || s.upper > paramSupport.upper) {
    throw new ConfigError(
      `prior of ${param}: support (${s.lower}, ${s.upper}) exceeds the parameter's support (${paramSupport.lower}, ${paramSupport.upper})`,
      { parameter: param, family: spec.family },
    );
  }
  return { spec, support: s, transform: transformFor(s), logDensity: densityFn(spec) };
}

function transformFor(s: Support): TransformKind {
  const lo = Number.isFinite(s.lower);
  const hi = Number.isFinite(s.upper);
  if (!lo && !hi) return "identity";
  if (lo && !hi) return "lower";
  if (!lo && hi) return "upper";
  return s.lower === -1 && s.upper === 1 ? "atanh" : "logit";
}

function densityFn(spec: PriorSpec): (x: number, out: Float64Array) => void {
  switch (spec.family) {
    case "normal": {
      const { mu, sigma } = spec;
      const c = -Math.log(sigma) - HALF_LOG_2PI;
      return (x, out) => {
        const z = (x - mu) / sigma;
        out[0] = c - 0.5 * z * z;
        out[1] = -z / sigma;
      };
    }
    case "lognormal": {
      const { mu, sigma } = spec;
      const c = -Math.log(sigma) - HALF_LOG_2PI;
      return (x, out) => {
        const lx = Math.log(x);
        const z = (lx - mu) / sigma;
        out[0] = c - lx - 0.5 * z * z;
        out[1] = (-1 - z / sigma) / x;
      };
    }
    case "halfnormal": {
      const { sigma } = spec;
      const c = Math.LN2 - Math.log(sigma) - HALF_LOG_2PI;
      return (x, out) => {
        const z = x / sigma;
        out[0] = c - 0.5 * z * z;
        out[1] = -z / sigma;
      };
    }
    case "truncnormal": {
      const { mu, sigma } = spec;
      const lo = spec.lower ?? -INF;
      const hi = spec.upper ?? INF;
      const c =
        -Math.log(sigma) - HALF_LOG_2PI - logNormalMass((lo - mu) / sigma, (hi - mu) / sigma);
      return (x, out) => {
        const z = (x - mu) / sigma;
        out[0] = c - 0.5 * z * z;
        out[1] = -z / sigma;
      };
    }
    case "beta": {
      const { a, b } = spec;
      const c = logGamma(a + b) - logGamma(a) - logGamma(b);
      return (x, out) => {
        out[0] = c + (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x);
        out[1] = (a - 1) / x - (b - 1) / (1 - x);
      };
    }
    case "uniform": {
      const c = -Math.log(spec.upper - spec.lower);
      return (_x, out) => {
        out[0] = c;
        out[1] = 0;
      };
    }
  }
}

/** log(Phi(b) - Phi(a)) for a < b, accurate in the tails. */
function logNormalMass(a: number, b: number): number {
  if (b === INF) return logNormalCdf(-a);
  if (a === -INF) return logNormalCdf(b);
  if (a > 0) return Math.log(normalCdf(-a) - normalCdf(-b));
  return Math.log(normalCdf(b) - normalCdf(a));
}

/**
 * Maps unconstrained `u` to the support. Writes x, dx/du, log|dx/du| and d log|dx/du| / du to
 * out[0..3].
 */
export function constrain(kind: TransformKind, s: Support, u: number, out: Float64Array): void {
  switch (kind) {
    case "identity":
      out[0] = u;
      out[1] = 1;
      out[2] = 0;
      out[3] = 0;
      return;
    case "lower": {
      const e = Math.exp(u);
      out[0] = s.lower + e;
      out[1] = e;
      out[2] = u;
      out[3] = 1;
      return;
    }
    case "upper": {
      const e = Math.exp(u);
      out[0] = s.upper - e;
      out[1] = -e;
      out[2] = u;
      out[3] = 1;
      return;
    }
    case "logit": {
      const w = s.upper - s.lower;
      const p = u >= 0 ? 1 / (1 + Math.exp(-u)) : Math.exp(u) / (1 + Math.exp(u));
      const q = u >= 0 ? Math.exp(-u) / (1 + Math.exp(-u)) : 1 / (1 + Math.exp(u));
      out[0] = u >= 0 ? s.upper - w * q : s.lower + w * p;
      out[1] = w * p * q;
      // log p + log q = -|u| - 2 log(1 + e^-|u|)
      out[2] = Math.log(w) - Math.abs(u) - 2 * Math.log1p(Math.exp(-Math.abs(u)));
      out[3] = q - p;
      return;
    }
    case "atanh": {
      const t = Math.tanh(u);
      const au = Math.abs(u);
      out[0] = t;
      out[1] = 1 - t * t;
      // log(1 - tanh^2 u) = 2 log sech u = 2 (log 2 - |u| - log(1 + e^{-2|u|}))
      out[2] = 2 * (Math.LN2 - au - Math.log1p(Math.exp(-2 * au)));
      out[3] = -2 * t;
      return;
    }
  }
}

/** Inverse of `constrain`: the unconstrained value of a point strictly inside the support. */
export function unconstrain(kind: TransformKind, s: Support, x: number): number {
  switch (kind) {
    case "identity":
      return x;
    case "lower":
      return Math.log(x - s.lower);
    case "upper":
      return Math.log(s.upper - x);
    case "logit": {
      const p = (x - s.lower) / (s.upper - s.lower);
      return Math.log(p) - Math.log1p(-p);
    }
    case "atanh":
      return Math.atanh(x);
  }
}

/** A point well inside the prior's mass: median-like, used for initial values. */
export function priorCentre(spec: PriorSpec): number {
  switch (spec.family) {
    case "normal":
      return spec.mu;
    case "lognormal":
      return Math.exp(spec.mu);
    case "halfnormal":
      return 0.6744897501960817 * spec.sigma;
    case "truncnormal": {
      const lo = spec.lower ?? -INF;
      const hi = spec.upper ?? INF;
      if (spec.mu > lo && spec.mu < hi) return spec.mu;
      if (Number.isFinite(lo) && Number.isFinite(hi)) return 0.5 * (lo + hi);
      return Number.isFinite(lo) ? lo + spec.sigma * 0.6745 : hi - spec.sigma * 0.6745;
    }
    case "beta":
      return spec.a / (spec.a + spec.b);
    case "uniform":
      return 0.5 * (spec.lower + spec.upper);
  }
}
