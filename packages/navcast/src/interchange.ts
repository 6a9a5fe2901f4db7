/**
 * The interchange format of MODEL.md section 10: a fund as one JSON object (arrays aligned on
 * `weeks`, null where missing) in and out, and the `navcast fit` output document. Pure: parsing
 * and building plain objects; the CLI does the file I/O.
 */
import { DataError } from "./errors.js";
import type { WindowResult } from "./fit-window.js";
import type { FundSeries } from "./fund-series.js";
import type { RunConfig } from "./run-config.js";
import { configHash, sha256Json } from "./run-config.js";
import type { WindowFailure } from "./run-windows.js";

type Json = Record<string, unknown>;

function numArray(
  o: Json,
  key: string,
  n: number,
  opts: { nullable: boolean; nullAs?: number },
): Float64Array {
  const v = o[key];
  if (!Array.isArray(v)) throw new DataError(`${key} must be an array`, { field: key });
  if (v.length !== n) {
    throw new DataError(`${key} has ${v.length} values, weeks has ${n}`, { field: key });
  }
  return Float64Array.from(v, (x, i) => {
    if (x === null) {
      if (opts.nullAs !== undefined) return opts.nullAs;
      if (opts.nullable) return Number.NaN;
      throw new DataError(`${key}[${i}] is null; this series may not have gaps`, {
        field: key,
        index: i,
      });
    }
    if (typeof x !== "number" || !Number.isFinite(x)) {
      throw new DataError(`${key}[${i}] must be a number or null`, { field: key, index: i });
    }
    return x;
  });
}

function optNumber(o: Json, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new DataError(`external.${key} must be a number`, { field: `external.${key}` });
  }
  return v;
}

/**
 * Parses a section-10 fund object. Contributions and distributions may use null for "no flow"
 * (read as 0); the market series may have no gaps; NAVs, secondary prices and the comparable may.
 */
export function parseFund(raw: unknown): FundSeries {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new DataError("a fund must be a JSON object", {});
  }
  const o = raw as Json;
  const name = typeof o.fund === "string" ? o.fund : "";
  if (!name) throw new DataError('the fund needs a non-empty "fund" name', { field: "fund" });
  if (!Array.isArray(o.weeks) || !o.weeks.every((w) => typeof w === "string")) {
    throw new DataError("weeks must be an array of ISO dates", { fund: name, field: "weeks" });
  }
  const weeks = o.weeks as string[];
  const n = weeks.length;
  const ctx = (e: unknown) => {
    if (e instanceof DataError)
      throw new DataError(`fund ${name}: ${e.message}`, { fund: name, ...e.context });
    throw e;
  };
  try {
    const nanArray = () => new Float64Array(n).fill(Number.NaN);
    const fund: FundSeries = {
      name,
      weeks,
      contributions: numArray(o, "contributions", n, { nullable: true, nullAs: 0 }),
      distributions: numArray(o, "distributions", n, { nullable: true, nullAs: 0 }),
      navGp: o.nav_gp === undefined ? nanArray() : numArray(o, "nav_gp", n, { nullable: true }),
      secondary:
        o.secondary === undefined ? nanArray() : numArray(o, "secondary", n, { nullable: true }),
      market: numArray(o, "market_log_return", n, { nullable: false }),
      comparable:
        o.comparable_log_return === undefined
          ? nanArray()
          : numArray(o, "comparable_log_return", n, { nullable: true }),
      daily: parseDaily(o.daily),
      external: parseExternal(o.external, n),
      truth: parseTruth(o.truth, n),
    };
    return fund;
  } catch (e) {
    return ctx(e);
  }
}

function parseDaily(v: unknown): FundSeries["daily"] {
  if (v === undefined || v === null) return undefined;
  const o = v as Json;
  if (!Array.isArray(o.dates))
    throw new DataError("daily.dates must be an array of ISO dates", { field: "daily.dates" });
  const n = o.dates.length;
  return {
    dates: o.dates as string[],
    market: numArray(o, "market_log_return", n, { nullable: false }),
    comparable: numArray(o, "comparable_log_return", n, { nullable: true }),
  };
}

function parseExternal(v: unknown, n: number): FundSeries["external"] {
  if (v === undefined || v === null) return undefined;
  const o = v as Json;
  const known = new Set(["h", "alpha_c", "beta_cM", "delta_hat", "sigma_d_hat"]);
  for (const k of Object.keys(o)) {
    if (!known.has(k)) throw new DataError(`unknown external key ${k}`, { field: `external.${k}` });
  }
  const h = o.h === undefined ? undefined : numArray(o, "h", n, { nullable: false });
  if (h && !h.every((x) => x > 0))
    throw new DataError("external.h must be positive", { field: "external.h" });
  return {
    h,
    alphaC: optNumber(o, "alpha_c"),
    betaCM: optNumber(o, "beta_cM"),
    deltaHat: optNumber(o, "delta_hat"),
    sigmaDHat: optNumber(o, "sigma_d_hat"),
  };
}

function parseTruth(v: unknown, n: number): FundSeries["truth"] {
  if (v === undefined || v === null) return undefined;
  const o = v as Json;
  const params: Record<string, number> = {};
  for (const [k, x] of Object.entries(o)) if (typeof x === "number") params[k] = x;
  return {
    params,
    V: numArray(o, "V", n, { nullable: false }),
    h: o.h === undefined ? undefined : numArray(o, "h", n, { nullable: false }),
  };
}

const toJsonArray = (a: Float64Array): (number | null)[] =>
  Array.from(a, (x) => (Number.isNaN(x) ? null : x));

/** The section-10 JSON object of a fund (the inverse of `parseFund`). */
export function fundToJson(f: FundSeries): Json {
  const out: Json = {
    fund: f.name,
    weeks: [...f.weeks],
    contributions: Array.from(f.contributions),
    distributions: Array.from(f.distributions),
    nav_gp: toJsonArray(f.navGp),
    secondary: toJsonArray(f.secondary),
    market_log_return: Array.from(f.market),
    comparable_log_return: toJsonArray(f.comparable),
  };
  if (f.daily) {
    out.daily = {
      dates: [...f.daily.dates],
      market_log_return: Array.from(f.daily.market),
      comparable_log_return: toJsonArray(f.daily.comparable),
    };
  }
  if (f.external) {
    const e = f.external;
    out.external = {
      ...(e.h ? { h: Array.from(e.h) } : {}),
      ...(e.alphaC !== undefined ? { alpha_c: e.alphaC } : {}),
      ...(e.betaCM !== undefined ? { beta_cM: e.betaCM } : {}),
      ...(e.deltaHat !== undefined ? { delta_hat: e.deltaHat } : {}),
      ...(e.sigmaDHat !== undefined ? { sigma_d_hat: e.sigmaDHat } : {}),
    };
  }
  if (f.truth) {
    out.truth = {
      ...f.truth.params,
      V: Array.from(f.truth.V),
      ...(f.truth.h ? { h: Array.from(f.truth.h) } : {}),
    };
  }
  return out;
}

/** data_hash: SHA-256 of the canonical JSON of the fund's data (its `truth` excluded). */
export function dataHash(f: FundSeries): string {
  const { truth: _t, ...rest } = fundToJson(f);
  return sha256Json(rest);
}

/** The `navcast fit` output document of section 10. */
export function fitOutput(
  f: FundSeries,
  config: RunConfig,
  windows: (WindowResult | WindowFailure)[],
): Json {
  return {
    config_hash: configHash(config),
    data_hash: dataHash(f),
    seed: config.sampler.seed,
    windows: windows.map((w) =>
      "error" in w
        ? {
            tau: w.week,
            t: w.tau,
            error: { code: w.error.code, message: w.error.message, context: w.error.context },
          }
        : {
            tau: w.week,
            t: w.tau,
            seed: w.seed,
            params: w.params,
            nowcast: {
              V: w.nowcast.V,
              nav_gp_last: w.nowcast.nav_gp_last,
              pme_naive: w.nowcast.pme_naive,
            },
            sampler: w.sampler,
          },
    ),
  };
}
