/**
 * Benchmark (b) of issue 5: a full expanding-window fit of a simulated 10-year fund (quarterly
 * windows; 4 chains x 1000 warm-up x 1000 draws by default). Prints wall time, the worst R-hat
 * and the divergences per window. Usage: tsx --conditions source bench/expanding.ts [years=10]
 * [chains=4] [warmup=1000] [draws=1000] [every=1 (every k-th window)] [threads=2]
 * Env: NAVCAST_CONFIG (config overrides, as in calibration.ts).
 */
import { cpus } from "node:os";
import { trimToFirstContribution } from "../src/fund-processor.js";
import { rolledForwardNav } from "../src/pme.js";
import { parseRunConfig } from "../src/run-config.js";
import { isFitted, runWindows } from "../src/run-windows.js";
import { windowEnds } from "../src/window-schedule.js";
import { benchmarkFund } from "./benchmark-fund.js";

const [years = "10", chains = "4", warmup = "1000", draws = "1000", every = "1", threads = "2"] =
  process.argv.slice(2);
const fund = benchmarkFund(Number(years));
const ends = windowEnds(fund, "quarterly").filter(
  (_, k, a) => k % Number(every) === 0 || k === a.length - 1,
);
// NAVCAST_CONFIG: further config (sampler settings too) on top of the defaults, e.g.
// '{"sampler":{"whitening_tolerance":0.01}}'
const extra = process.env.NAVCAST_CONFIG ? JSON.parse(process.env.NAVCAST_CONFIG) : {};
const cfg = parseRunConfig({
  ...extra,
  windows: ends.map((t) => fund.weeks[t - 1]),
  sampler: {
    ...extra.sampler,
    chains: Number(chains),
    warmup: Number(warmup),
    draws: Number(draws),
    seed: 1,
    threads: Number(threads),
  },
});
const t0 = performance.now();
// each window's wall time: from its first progress report to the next window's (the fund
// processor's part, before the first report, counts towards the window before)
const started: number[] = [];
const res = await runWindows(fund, cfg, {
  onProgress: (p) => {
    if (p.sampler.chain === 0 && p.sampler.iteration === 1 && p.round === 0) {
      started[p.window] = performance.now();
      process.stderr.write(`window ${p.window + 1}/${p.windows} ${p.week}\n`);
    }
  },
});
const tEnd = performance.now();
const windowSeconds = (k: number) => {
  const next = started.findIndex((t, j) => j > k && t !== undefined);
  return started[k] === undefined
    ? null
    : Math.round(((next < 0 ? tEnd : started[next]) - started[k]) / 100) / 10;
};
const sec = (performance.now() - t0) / 1000;
// the fund is simulated: each window's nowcast is also judged against the true value, next to the
// last GP NAV rolled forward with cash flows and the PME-naive NAV (MODEL.md section 9)
const trimmed = trimToFirstContribution(fund).fund;
const logErr = (x: number, t: number) =>
  x > 0
    ? Number(Math.abs(Math.log(x) - Math.log(trimmed.truth?.V[t - 1] ?? Number.NaN)).toFixed(4))
    : null;
const rows = res.map((w, k) => {
  if (!isFitted(w)) return { week: w.week, t: w.tau, error: w.error.message };
  const all = [...Object.values(w.params), w.nowcast.V];
  return {
    week: w.week,
    t: w.tau,
    seconds: windowSeconds(k),
    max_rhat: Number(Math.max(...all.map((s) => s.rhat)).toFixed(4)),
    min_ess_bulk: Math.round(Math.min(...all.map((s) => s.ess_bulk))),
    divergences: w.sampler.divergences,
    first_run: {
      max_rhat: Number(w.sampler.first_run.max_rhat.toFixed(4)),
      min_ess_bulk: Math.round(w.sampler.first_run.min_ess_bulk),
    },
    restart: w.sampler.restart,
    extension_rounds: w.sampler.extension_rounds,
    whitening_iterations: w.sampler.whitening_iterations,
    whitening_damping: w.sampler.whitening_damping,
    draws_per_chain: w.sampler.draws_per_chain,
    nowcast_abs_log_error: logErr(w.nowcast.V.q50, w.tau),
    rolled_nav_abs_log_error: logErr(
      rolledForwardNav(trimmed.navGp, trimmed.contributions, trimmed.distributions, w.tau),
      w.tau,
    ),
    pme_naive_abs_log_error: logErr(w.nowcast.pme_naive, w.tau),
  };
});
const median = (k: string) => {
  const a = rows
    .map((r) => (r as Record<string, unknown>)[k])
    .filter((x): x is number => typeof x === "number")
    .sort((x, y) => x - y);
  return a[Math.floor(a.length / 2)] ?? null;
};
console.log(
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}`,
      command: `${process.env.NAVCAST_CONFIG ? `NAVCAST_CONFIG='${process.env.NAVCAST_CONFIG}' ` : ""}tsx --conditions source bench/expanding.ts ${process.argv.slice(2).join(" ")}`,
      wall_s: Math.round(sec),
      windows: rows.length,
      fitted: res.filter(isFitted).length,
      // over the fitted windows; a window too short for the fund processor is an error row
      all_rhat_below_1_01: rows.every((r) => !("max_rhat" in r) || (r.max_rhat as number) < 1.01),
      error_windows: rows.filter((r) => "error" in r).length,
      median_abs_log_error: {
        nowcast: median("nowcast_abs_log_error"),
        rolled_nav: median("rolled_nav_abs_log_error"),
        pme_naive: median("pme_naive_abs_log_error"),
      },
      extended_windows: rows.filter((r) => "extension_rounds" in r && (r.extension_rounds ?? 0) > 0)
        .length,
      restarted_windows: rows.filter((r) => "restart" in r && r.restart !== null).length,
      total_divergences: rows.reduce(
        (a, r) => a + ("divergences" in r ? (r.divergences as number) : 0),
        0,
      ),
      rows,
    },
    null,
    1,
  ),
);
