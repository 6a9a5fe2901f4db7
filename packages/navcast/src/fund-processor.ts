/**
 * The fund processor (MODEL.md section 4): for one fund and window end tau, the category-1
 * estimates (OLS, GARCH h_t, delta_hat, sigma_d_hat) and the PME-naive NAV, then the ModelData
 * the density needs. Values given in the fund's `external` block are used as they are and the
 * step that would compute them is skipped. Failures throw a FundProcessorError naming the fund and
 * window.
 */
import { firstContributionWeek, weekIndexOf } from "./align.js";
import { DataError, FundProcessorError } from "./errors.js";
import type { FundSeries } from "./fund-series.js";
import { fitGarch, type GarchFit, type GarchMethod } from "./garch.js";
import type { ModelData } from "./model-data.js";
import { fitOls, type OlsFit } from "./ols.js";
import { type DeltaEstimate, estimateDelta, pmeNaive } from "./pme.js";

/** Options of the fund processor (config `garch_method`, `garch_allow_igarch`). */
export interface ProcessorOptions {
  garchMethod: GarchMethod;
  allowIgarch: boolean;
}

/** A fund trimmed to start at t0, the week of its first contribution. */
export interface TrimmedFund {
  fund: FundSeries;
  /** Index of t0 in the original weeks. */
  offset: number;
}

/** Drops the weeks before the first contribution (section 1). */
export function trimToFirstContribution(f: FundSeries): TrimmedFund {
  const t0 = firstContributionWeek(f.contributions);
  if (t0 < 0) throw new DataError(`fund ${f.name} has no contribution`, { fund: f.name });
  const cut = (a: Float64Array) => a.slice(t0);
  const ext = f.external;
  return {
    offset: t0,
    fund: {
      ...f,
      weeks: f.weeks.slice(t0),
      contributions: cut(f.contributions),
      distributions: cut(f.distributions),
      navGp: cut(f.navGp),
      secondary: cut(f.secondary),
      market: cut(f.market),
      comparable: cut(f.comparable),
      external: ext ? { ...ext, h: ext.h ? cut(ext.h) : undefined } : undefined,
      truth: f.truth
        ? { ...f.truth, V: cut(f.truth.V), h: f.truth.h ? cut(f.truth.h) : undefined }
        : undefined,
    },
  };
}

/** What the processor computed (or took from `external`) for one window. */
export interface ProcessorReport {
  ols: OlsFit | null;
  garch: GarchFit | null;
  delta: DeltaEstimate | null;
  pme: Float64Array;
  /** Which of h, alpha_c/beta_cM, delta_hat/sigma_d_hat came from `external`. */
  external: string[];
}

/**
 * Category-1 estimates and model data for weeks 1..tau of a trimmed fund (1-based tau).
 */
export function processWindow(
  f: FundSeries,
  tau: number,
  o: ProcessorOptions,
): { data: ModelData; report: ProcessorReport } {
  const ctx = { fund: f.name, window: f.weeks[tau - 1], tau };
  if (!(tau >= 1 && tau <= f.weeks.length)) {
    throw new DataError(`window end ${tau} is outside the fund's ${f.weeks.length} weeks`, ctx);
  }
  const sl = (a: Float64Array) => a.slice(0, tau);
  const C = sl(f.contributions);
  const D = sl(f.distributions);
  const m = sl(f.market);
  const y = sl(f.comparable);
  const ext = f.external ?? {};
  const used: string[] = [];
  const pme = pmeNaive(C, D, m);
  // OLS: needed unless alpha_c and beta_cM are external and h is too
  let ols: OlsFit | null = null;
  const extCat = ext.alphaC !== undefined && ext.betaCM !== undefined;
  if (!extCat || !ext.h) {
    ols = fitOls(y, m);
    if (!ols) {
      throw new FundProcessorError(
        "fund_processor",
        `OLS of the comparable on the market needs at least 3 weeks with a comparable return and a varying market return (fund ${f.name}, window ${ctx.window})`,
        ctx,
      );
    }
  }
  let h: Float64Array;
  let garch: GarchFit | null = null;
  if (ext.h) {
    h = sl(ext.h);
    used.push("h");
  } else {
    const res = fitGarch({
      method: o.garchMethod,
      residuals: (ols as OlsFit).residuals,
      market: m,
      daily: dailyResiduals(f, tau, ctx),
      allowIgarch: o.allowIgarch,
      context: ctx,
    });
    if (!res.ok) throw res.error;
    garch = res.value;
    h = garch.h;
  }
  let delta: DeltaEstimate | null = null;
  let deltaHat = ext.deltaHat;
  let sigmaDHat = ext.sigmaDHat;
  if (deltaHat === undefined || sigmaDHat === undefined) {
    delta = estimateDelta(D, pme);
    deltaHat ??= delta.deltaHat;
    sigmaDHat ??= delta.sigmaDHat;
  }
  if (ext.deltaHat !== undefined) used.push("delta_hat");
  if (ext.sigmaDHat !== undefined) used.push("sigma_d_hat");
  if (extCat) used.push("alpha_c", "beta_cM");
  const data: ModelData = {
    contributions: C,
    distributions: D,
    navGp: sl(f.navGp),
    secondary: sl(f.secondary),
    market: m,
    comparable: y,
    h,
    alphaC: extCat ? (ext.alphaC as number) : (ols as OlsFit).alphaC,
    betaCM: extCat ? (ext.betaCM as number) : (ols as OlsFit).betaCM,
    alphaCSe: ols ? ols.alphaCSe : Number.NaN,
    betaCMSe: ols ? ols.betaCMSe : Number.NaN,
    deltaHat,
    sigmaDHat,
  };
  return { data, report: { ols, garch, delta, pme, external: used } };
}

/** Daily OLS residuals up to the window end, indexed by week; undefined without daily data. */
function dailyResiduals(f: FundSeries, tau: number, ctx: Record<string, unknown>) {
  const d = f.daily;
  if (!d || d.dates.length === 0) return undefined;
  const week = weekIndexOf(d.dates, f.weeks);
  const keep: number[] = [];
  for (let i = 0; i < week.length; i++) if (week[i] >= 0 && week[i] < tau) keep.push(i);
  const yd = Float64Array.from(keep, (i) => d.comparable[i]);
  const md = Float64Array.from(keep, (i) => d.market[i]);
  const ols = fitOls(yd, md);
  if (!ols) {
    throw new FundProcessorError(
      "fund_processor",
      `daily OLS of the comparable on the market needs at least 3 days with data (fund ${String(ctx.fund)}, window ${String(ctx.window)})`,
      ctx,
    );
  }
  return { week: Int32Array.from(keep, (i) => week[i]), u: ols.residuals, m: md };
}
