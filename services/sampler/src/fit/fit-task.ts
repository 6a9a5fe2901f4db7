/**
 * The pure part of a task: parse the fund and the config, fit the task's windows with
 * @portal/navcast, and hand back summaries and draws. No I/O; runs on a worker thread.
 */
import type { Summary, WindowResult } from "@portal/navcast";
import { NavcastError, parseFund, parseRunConfig, runWindows } from "@portal/navcast";

export interface FitInput {
  /** The fund's section-10 JSON text. */
  fundJson: string;
  config: Record<string, unknown>;
  window: string;
}

/** One fitted window, cloneable across threads. */
export interface FittedWindow {
  window: string;
  tau: number;
  seed: number;
  params: Record<string, Summary>;
  nowcast: { V: Summary; nav_gp_last: number | null; pme_naive: number };
  sampler: WindowResult["sampler"];
  /** Draws per parameter (and "V", the nowcast), one array per chain. */
  draws: Record<string, Float64Array[]>;
}

export type FitOutcome =
  | { ok: true; windows: FittedWindow[] }
  /** A failure of the data or config: retrying cannot help. */
  | { ok: false; permanent: true; error: string };

/** The config the task fits: the run's, restricted to the task's window. */
export function taskConfig(raw: Record<string, unknown>, window: string) {
  const windows = window === "all" ? raw.windows : window === "last" ? "last" : [window];
  return parseRunConfig({ ...raw, windows });
}

export async function fitTask(
  input: FitInput,
  onProgress: (fraction: number, note: string) => void,
  log: (level: "info" | "warn", message: string) => void,
): Promise<FitOutcome> {
  try {
    const fund = parseFund(JSON.parse(input.fundJson));
    const config = taskConfig(input.config, input.window);
    const chains = config.sampler.chains;
    log("info", `fitting ${fund.weeks.length} weeks, windows ${JSON.stringify(config.windows)}`);
    const results = await runWindows(fund, config, {
      failFast: true,
      onProgress: (p) => {
        const s = p.sampler;
        if (p.round > 0) {
          // not converged: the chains run on; the window's share of the bar stays full meanwhile
          onProgress(
            (p.window + 1) / p.windows,
            `window ${p.week}: running longer (round ${p.round}, chain ${s.chain + 1}, ${s.iteration}/${s.total})`,
          );
          return;
        }
        const inWindow = (s.chain + s.iteration / s.total) / chains;
        onProgress((p.window + inWindow) / p.windows, `window ${p.week}`);
      },
    });
    const windows: FittedWindow[] = [];
    for (const w of results) {
      if ("error" in w) throw w.error;
      const s = w.sampler;
      log(
        s.divergences > 0 ? "warn" : "info",
        `window ${w.week}: V median ${w.nowcast.V.q50.toFixed(3)}, divergences ${s.divergences}, ` +
          `tree-depth hits ${s.max_treedepth_hits}`,
      );
      for (const warning of s.warnings) log("warn", `window ${w.week}: ${warning}`);
      windows.push({
        window: w.week,
        tau: w.tau,
        seed: w.seed,
        params: w.params,
        nowcast: {
          V: w.nowcast.V,
          nav_gp_last: w.nowcast.nav_gp_last,
          pme_naive: w.nowcast.pme_naive,
        },
        sampler: s,
        draws: { ...w.paramDraws, V: w.nowcast.vDraws },
      });
    }
    return { ok: true, windows };
  } catch (e) {
    if (e instanceof NavcastError || e instanceof SyntaxError)
      return { ok: false, permanent: true, error: `${e.name}: ${e.message}` };
    throw e;
  }
}
