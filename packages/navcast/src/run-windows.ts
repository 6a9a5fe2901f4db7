/**
 * A run over windows (MODEL.md section 6): independent expanding windows (the production mode)
 * or sequential, where each window's posterior, moment-matched per parameter to its prior's
 * family, becomes the next window's prior.
 */
import type { Progress } from "@portal/mcmc";
import { NavcastError } from "./errors.js";
import { type FitWindowOptions, fitWindow, type WindowResult } from "./fit-window.js";
import { trimToFirstContribution } from "./fund-processor.js";
import type { FundSeries } from "./fund-series.js";
import type { ParamName } from "./model-config.js";
import type { PriorSpec } from "./priors.js";
import type { RunConfig } from "./run-config.js";
import { momentMatch } from "./sequential-prior.js";
import { windowEnds } from "./window-schedule.js";

/** Progress of a run: which window, and the sampler's progress inside it. */
export interface RunProgress {
  window: number;
  windows: number;
  week: string;
  sampler: Progress;
  /** 0 for the window's run; k for its k-th extension round (it had not converged). */
  round: number;
}

/** A window whose fund processor or sampler failed: reported, never silently skipped. */
export interface WindowFailure {
  tau: number;
  week: string;
  error: NavcastError;
}

/** Options of `runWindows`. */
export interface RunOptions {
  /** Throw on the first failed window instead of reporting it and going on (default false). */
  failFast?: boolean;
  onProgress?: (p: RunProgress) => void;
  keepValueDraws?: boolean;
  sampler?: FitWindowOptions["sampler"];
}

/** Fits every window of the config's schedule, in order. */
export async function runWindows(
  fund: FundSeries,
  config: RunConfig,
  o: RunOptions = {},
): Promise<(WindowResult | WindowFailure)[]> {
  const { fund: f } = trimToFirstContribution(fund);
  const ends = windowEnds(f, config.windows);
  const out: (WindowResult | WindowFailure)[] = [];
  let carried: Partial<Record<ParamName, PriorSpec>> = {};
  for (let k = 0; k < ends.length; k++) {
    const tau = ends[k];
    let res: WindowResult;
    try {
      res = await fitWindow(f, tau, config, {
        priors: config.mode === "sequential" ? carried : undefined,
        keepValueDraws: o.keepValueDraws,
        sampler: o.sampler,
        onProgress: o.onProgress
          ? (p, round) =>
              o.onProgress?.({
                window: k,
                windows: ends.length,
                week: f.weeks[tau - 1],
                sampler: p,
                round,
              })
          : undefined,
      });
    } catch (e) {
      // a window that cannot be fitted (e.g. too few weeks for GARCH) is reported as such
      if (o.failFast || !(e instanceof NavcastError)) throw e;
      out.push({ tau, week: f.weeks[tau - 1], error: e });
      continue;
    }
    out.push(res);
    if (config.mode === "sequential") {
      carried = {};
      for (const [name, spec] of Object.entries(res.priors) as [ParamName, PriorSpec][]) {
        const draws = res.paramDraws[name];
        const all = new Float64Array(draws.reduce((a, c) => a + c.length, 0));
        let off = 0;
        for (const c of draws) {
          all.set(c, off);
          off += c.length;
        }
        carried[name] = momentMatch(spec, all);
      }
    }
  }
  return out;
}

/** True for a window that was fitted. */
export function isFitted(w: WindowResult | WindowFailure): w is WindowResult {
  return !("error" in w);
}
