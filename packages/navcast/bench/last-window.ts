/**
 * Benchmark (a) of issue 5: the last window alone of a simulated 10-year fund (520 weeks).
 * Prints wall time, min bulk-ESS over the parameters and the nowcast, min-ESS per second and
 * sampler health. Usage: pnpm --filter @portal/navcast exec tsx --conditions source
 * bench/last-window.ts [years] [chains] [warmup] [draws] [metric] [xi|segments|whitened]
 * [target_accept] [local_step_error]
 */
import { cpus } from "node:os";
import { parseRunConfig } from "../src/run-config.js";
import { isFitted, runWindows } from "../src/run-windows.js";
import { benchmarkFund } from "./benchmark-fund.js";

const [
  years = "10",
  chains = "4",
  warmup = "1000",
  draws = "1000",
  metric = "diag",
  param = "xi",
  accept = "0.8",
  local = "0",
] = process.argv.slice(2);
const fund = benchmarkFund(Number(years));
const cfg = parseRunConfig({
  windows: "last",
  parameterization: param,
  sampler: {
    chains: Number(chains),
    warmup: Number(warmup),
    draws: Number(draws),
    seed: 1,
    metric,
    target_accept: Number(accept),
    local_step_error: Number(local),
  },
});
const t0 = performance.now();
const [w] = (await runWindows(fund, cfg, { failFast: true })).filter(isFitted);
const sec = (performance.now() - t0) / 1000;
const ess = [...Object.values(w.params), w.nowcast.V].map((s) => s.ess_bulk);
const rhat = Math.max(...[...Object.values(w.params), w.nowcast.V].map((s) => s.rhat));
const minEss = Math.min(...ess);
console.log(
  JSON.stringify({
    date: new Date().toISOString(),
    machine: `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}`,
    command: `tsx --conditions source bench/last-window.ts ${process.argv.slice(2).join(" ")}`,
    weeks: w.tau,
    chains: Number(chains),
    warmup: Number(warmup),
    draws: Number(draws),
    metric,
    parameterization: param,
    target_accept: Number(accept),
    local_step_error: Number(local),
    wall_s: Number(sec.toFixed(1)),
    min_ess_bulk: Number(minEss.toFixed(1)),
    min_ess_per_s: Number((minEss / sec).toFixed(3)),
    max_rhat: Number(rhat.toFixed(3)),
    ...w.sampler,
    nowcast: {
      q05: w.nowcast.V.q05,
      q50: w.nowcast.V.q50,
      q95: w.nowcast.V.q95,
      truth: fund.truth?.V[w.tau - 1],
    },
  }),
);
