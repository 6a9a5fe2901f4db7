/**
 * Issue 9's study, side by side with Stan: funds simulated from the default priors by the
 * project's simulator (the same funds, seeds and data as `runCalibration`), the last window of each
 * fitted by our sampler with the default settings and by Stan (bench/stan/navcast.stan, an
 * independent transcription of MODEL.md, through Debian's r-cran-rstan: 4 chains x 1000 + 1000,
 * default inits and adapt_delta). Both sides' draws go through the same diagnostics
 * (@portal/mcmc's rank-normalised R-hat and bulk-ESS). Per fund: healthy (R-hat < 1.01 for every
 * parameter and V_tau, at most 4 divergent draws of 4000), divergences, min bulk-ESS, wall time,
 * min-ESS per second, 90% interval hits. Writes bench/results/stan-compare-<years>y.{json,md}.
 * Usage: tsx --conditions source bench/stan-compare.ts [funds=8] [years=4] [seed=7] [first=0]
 * STAN_FROM=<json of an earlier run> takes Stan's side from there instead of running it again;
 * NAVCAST_STEM=<suffix> is added to the result files' names (shards of one comparison);
 * NAVCAST_ONLY=<i,j,...> compares these funds instead of `first` and `funds`;
 * OURS_FROM=<calibration results JSON, comma-separated for shards> takes our side from a
 * calibration study's replications (the same fund and default settings give the same chains;
 * its 90% intervals come from the study's 99 thinned draws) instead of fitting it again.
 * With seed "bench", the one fund is the benchmarks' fund (benchmark-fund.ts; issue 5's (a) and
 * issue 9's side by side on a 10-year fund), and the results go to stan-compare-<years>y-bench.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ReplicationResult,
  replicationFund,
  replicationsFromJson,
} from "../src/calibration.js";
import { floorEps } from "../src/density.js";
import { worstOf } from "../src/extension-rounds.js";
import { fitWindow } from "../src/fit-window.js";
import { processWindow, trimToFirstContribution } from "../src/fund-processor.js";
import type { FundSeries } from "../src/fund-series.js";
import type { ModelData } from "../src/model-data.js";
import { parseRunConfig } from "../src/run-config.js";
import { BENCHMARK_PARAMS, benchmarkFund } from "./benchmark-fund.js";

const [nFunds = "8", years = "4", seedArg = "7", firstArg = "0"] = process.argv.slice(2);
const bench = seedArg === "bench";
const earlier = process.env.STAN_FROM
  ? (JSON.parse(readFileSync(process.env.STAN_FROM, "utf8")) as {
      meta: Record<string, unknown>;
      rows: { fund: number; stan: Side | null }[];
    })
  : null;
const stanFrom = earlier ? new Map(earlier.rows.map((r) => [r.fund, r.stan])) : null;
const oursFrom = process.env.OURS_FROM
  ? new Map(
      process.env.OURS_FROM.split(",").flatMap((f) =>
        replicationsFromJson(
          (JSON.parse(readFileSync(f, "utf8")) as { results: ReplicationResult[] }).results,
        ).map((r) => [r.replication ?? 0, r] as const),
      ),
    )
  : null;
const seed = bench ? 0 : Number(seedArg);
const work = mkdtempSync(join(tmpdir(), "navcast-stan-"));
const here = new URL(".", import.meta.url).pathname;
const NAMES = ["alpha", "beta", "F", "rho", "lambda", "sigma_n", "log_delta", "sigma_d"];

const R_SCRIPT = `
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(rstan))
sm <- if (file.exists(args[4])) readRDS(args[4]) else { m <- stan_model(args[1]); saveRDS(m, args[4]); m }
data <- read_rdump(args[2])
pars <- strsplit(args[5], ",")[[1]]
t0 <- proc.time()[["elapsed"]]
fit <- tryCatch(sampling(sm, data = data, chains = 4, iter = 2000, warmup = 1000,
  seed = as.integer(args[6]), cores = 1, refresh = 0, pars = pars), error = function(e) NULL)
wall <- proc.time()[["elapsed"]] - t0
if (is.null(fit) || length(fit@sim$samples) == 0 || fit@mode != 0) {
  writeLines(sprintf("failed %.3f", wall), args[3])
} else {
  arr <- as.array(fit, pars = pars)
  sp <- get_sampler_params(fit, inc_warmup = FALSE)
  div <- sapply(sp, function(x) x[, "divergent__"])
  out <- do.call(rbind, lapply(1:dim(arr)[2], function(c) cbind(chain = c, arr[, c, ], divergent = div[, c])))
  write.csv(out, args[3], row.names = FALSE)
  writeLines(sprintf("%.3f", wall), paste0(args[3], ".time"))
}
`;

function rdump(d: ModelData, lag: number): string {
  const T = d.contributions.length;
  const num = (x: number) => (Number.isInteger(x) ? `${x}` : x.toPrecision(17));
  const vec = (a: ArrayLike<number>) =>
    a.length === 1
      ? `array(${num(a[0])}, dim = 1)`
      : a.length === 0
        ? "integer(0)"
        : `c(${Array.from(a, num).join(",")})`;
  const idx = (pred: (i: number) => boolean) => Array.from({ length: T }, (_, i) => i).filter(pred);
  const nav = idx((i) => !Number.isNaN(d.navGp[i]));
  const dist = idx((i) => i >= 1 && d.distributions[i] > 0);
  const sec = idx((i) => !Number.isNaN(d.secondary[i]));
  const s = Array.from(d.h, Math.sqrt);
  const hasY = Array.from(d.comparable, (y) => (Number.isNaN(y) ? 0 : 1));
  const z = Array.from(d.comparable, (y, i) =>
    Number.isNaN(y) ? 0 : (y - d.alphaC - d.betaCM * d.market[i]) / s[i],
  );
  const lines = {
    T: `${T}`,
    C: vec(d.contributions),
    D: vec(d.distributions),
    m: vec(d.market),
    s: vec(s),
    has_y: vec(hasY),
    z: vec(z),
    K: `${nav.length}`,
    nav_t: vec(nav.map((i) => i + 1)),
    nav: vec(nav.map((i) => d.navGp[i])),
    J: `${dist.length}`,
    dist_t: vec(dist.map((i) => i + 1)),
    log_dist: vec(dist.map((i) => Math.log(d.distributions[i]))),
    S: `${sec.length}`,
    sec_t: vec(sec.map((i) => i + 1)),
    log_sec: vec(sec.map((i) => Math.log(d.secondary[i]))),
    L: `${lag}`,
    eps: num(floorEps(d.contributions)),
    log_delta_hat: num(Math.log(d.deltaHat)),
    sigma_d_hat: num(d.sigmaDHat),
  };
  return `${Object.entries(lines)
    .map(([k, v]) => `${k} <- ${v}`)
    .join("\n")}\n`;
}

interface Side {
  initialised: boolean;
  healthy: boolean;
  divergences: number;
  maxRhat: number;
  minEss: number;
  wall_s: number;
  essPerS: number;
  hits90: number;
  quantities: number;
}

/** Health, ESS and 90% interval hits from per-chain draws of each quantity. */
function judge(
  draws: Record<string, Float64Array[]>,
  truth: Record<string, number>,
  div: number,
  wall: number,
): Side {
  // the fits' own rule (worstOf): NaN counts as worst, a point mass is left out
  const { V_tau, ...params } = draws;
  const worst = worstOf({ paramDraws: params, vDraws: V_tau });
  const maxRhat = worst.rhat.value;
  const minEss = worst.ess.value;
  let hits = 0;
  const ks = Object.keys(draws);
  for (const k of ks) {
    const all = Float64Array.from(draws[k].flatMap((c) => [...c])).sort();
    const q = (p: number) => all[Math.min(all.length - 1, Math.floor(p * all.length))];
    if (truth[k] >= q(0.05) && truth[k] <= q(0.95)) hits++;
  }
  return {
    initialised: true,
    healthy: maxRhat < 1.01 && div <= 4,
    divergences: div,
    maxRhat,
    minEss,
    wall_s: wall,
    essPerS: minEss / wall,
    hits90: hits,
    quantities: ks.length,
  };
}

const dir = new URL("./results/", import.meta.url);
mkdirSync(dir, { recursive: true });
const rdsPath = join(here, "stan", "navcast.rds");
writeFileSync(join(work, "run.R"), R_SCRIPT);
const config = parseRunConfig({ windows: "last" });
const rows: { fund: number; truth: Record<string, number>; ours: Side; stan: Side | null }[] = [];
const funds =
  process.env.NAVCAST_ONLY?.split(",").map(Number) ??
  Array.from({ length: Number(nFunds) }, (_, k) => Number(firstArg) + k);
for (const i of funds) {
  // the same fund as runCalibration's replication i
  const { truth, fund } = bench
    ? {
        truth: BENCHMARK_PARAMS as Record<string, number>,
        fund: trimToFirstContribution(benchmarkFund(Number(years))).fund,
      }
    : replicationFund(seed, i, Number(years));
  const T = fund.weeks.length;
  const tv: Record<string, number> = { ...truth, V_tau: fund.truth?.V[T - 1] ?? Number.NaN };
  const study = oursFrom?.get(i);
  const ours = study ? fromStudy(study) : await fitOurs(fund, T, tv);
  // Stan on the same window data, or its result from an earlier run of this script (STAN_FROM):
  // Stan's side does not depend on our code
  const stan = stanFrom ? (stanFrom.get(i) ?? null) : runStan(i, fund, T, tv);
  rows.push({ fund: i, truth: tv, ours, stan });
  const f = (s: Side | null) =>
    s
      ? `${s.healthy ? "healthy" : "unhealthy"} rhat ${s.maxRhat.toFixed(3)} div ${s.divergences} essmin ${s.minEss.toFixed(0)} ${s.wall_s.toFixed(0)} s`
      : "stan error";
  process.stderr.write(`fund ${i}: ours ${f(ours)} | stan ${f(stan)}\n`);
  report(false);
}

async function fitOurs(fund: FundSeries, T: number, tv: Record<string, number>): Promise<Side> {
  const t0 = performance.now();
  const w = await fitWindow(fund, T, config);
  const wall = (performance.now() - t0) / 1000;
  return judge(
    { ...Object.fromEntries(NAMES.map((n) => [n, w.paramDraws[n]])), V_tau: w.nowcast.vDraws },
    tv,
    w.sampler.divergences,
    wall,
  );
}

/** Our side as a calibration study's replication recorded it (OURS_FROM). */
function fromStudy(r: ReplicationResult): Side {
  const hits = Object.values(r.in90);
  return {
    initialised: true,
    healthy: r.maxRhat < 1.01 && r.divergences <= 4,
    divergences: r.divergences,
    maxRhat: r.maxRhat,
    minEss: r.minEss,
    wall_s: r.seconds,
    essPerS: r.minEss / r.seconds,
    hits90: hits.filter(Boolean).length,
    quantities: hits.length,
  };
}

/** Writes the results so far (after every fund: a long run stopped early leaves a valid one). */
function report(final: boolean): void {
  const meta = {
    date: new Date().toISOString(),
    machine: `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}`,
    command: `${process.env.NAVCAST_ONLY ? `NAVCAST_ONLY=${process.env.NAVCAST_ONLY} ` : ""}${process.env.OURS_FROM ? `OURS_FROM=${process.env.OURS_FROM} ` : ""}tsx --conditions source bench/stan-compare.ts ${process.argv.slice(2).join(" ")}`,
    // where Stan's side comes from: this run, or an earlier one's (STAN_FROM) with its date
    stan: earlier ? { from: "an earlier run of this script", ...earlier.meta } : "this run",
  };
  const stem = `stan-compare-${years}y${bench ? "-bench" : ""}${process.env.NAVCAST_STEM ?? ""}`;
  writeFileSync(new URL(`${stem}.json`, dir), JSON.stringify({ meta, rows }, null, 1));
  const sides = (pick: (r: (typeof rows)[number]) => Side | null) => {
    const ss = rows.map(pick);
    const ok = ss.filter((s): s is Side => s?.initialised === true);
    const med = (xs: number[]) =>
      [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
    return {
      init: `${ok.length}/${rows.length}`,
      healthy: `${ok.filter((s) => s.healthy).length}/${rows.length}`,
      cover90:
        ok.reduce((n, s) => n + s.hits90, 0) /
        Math.max(
          1,
          ok.reduce((n, s) => n + s.quantities, 0),
        ),
      medDiv: med(ok.map((s) => s.divergences)),
      medEssPerS: med(ok.map((s) => s.essPerS)),
      medWall: med(ok.map((s) => s.wall_s)),
    };
  };
  const a = sides((r) => r.ours);
  const b = sides((r) => r.stan);
  const md = [
    `# Our sampler and Stan on the same ${years}-year funds (default priors, default settings)`,
    "",
    `${meta.date}, ${meta.machine}, \`${meta.command}\`. Both run one chain after another on one core.${oursFrom ? " Our side is the calibration study's fit of each fund (OURS_FROM: its wall time, R-hat, bulk-ESS and divergences; 90% intervals from its 99 thinned draws)." : ""}${earlier ? ` Stan's side is from an earlier run of this script (${String(earlier.meta.date)}, \`${String(earlier.meta.command)}\`): it does not depend on our code.` : ""}`,
    "",
    "| | initialised | healthy | 90% coverage | median divergences | median min-ESS/s | median wall s |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    `| ours | ${a.init} | ${a.healthy} | ${a.cover90.toFixed(3)} | ${a.medDiv} | ${a.medEssPerS.toFixed(3)} | ${a.medWall.toFixed(0)} |`,
    `| Stan | ${b.init} | ${b.healthy} | ${b.cover90.toFixed(3)} | ${b.medDiv} | ${b.medEssPerS.toFixed(3)} | ${b.medWall.toFixed(0)} |`,
    "",
    "| fund | ours: R-hat / div / min-ESS / s | Stan: R-hat / div / min-ESS / s | ESS/s ratio |",
    "| --- | --- | --- | --- |",
    ...rows.map((r) => {
      const f = (s: Side | null) =>
        s === null
          ? "error"
          : !s.initialised
            ? "no init"
            : `${s.maxRhat.toFixed(3)} / ${s.divergences} / ${s.minEss.toFixed(0)} / ${s.wall_s.toFixed(0)}`;
      const ratio =
        r.stan?.initialised && r.stan.essPerS > 0
          ? (r.ours.essPerS / r.stan.essPerS).toFixed(1)
          : "-";
      return `| ${r.fund} | ${f(r.ours)} | ${f(r.stan)} | ${ratio} |`;
    }),
    "",
  ];
  writeFileSync(new URL(`${stem}.md`, dir), md.join("\n"));
  if (final) process.stdout.write(md.join("\n"));
}
report(true);

/** Stan on the window's data (the same fund processor output as ours). */
function runStan(i: number, fund: FundSeries, T: number, tv: Record<string, number>): Side | null {
  const { data } = processWindow(fund, T, { garchMethod: config.garchMethod, allowIgarch: false });
  const dataPath = join(work, `fund-${i}.R`);
  const outPath = join(work, `fund-${i}.csv`);
  writeFileSync(dataPath, rdump(data, config.model.navLagWeeks));
  const pars = data.secondary.some((x) => !Number.isNaN(x))
    ? [...NAMES, "sigma_s", "V_tau"]
    : [...NAMES, "V_tau"];
  const r = spawnSync(
    "Rscript",
    [
      join(work, "run.R"),
      join(here, "stan", "navcast.stan"),
      dataPath,
      outPath,
      rdsPath,
      pars.join(","),
      String(seed + i),
    ],
    { encoding: "utf8", maxBuffer: 1 << 26 },
  );
  let stan: Side | null = null;
  const text = (() => {
    try {
      return readFileSync(outPath, "utf8");
    } catch {
      return "";
    }
  })();
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
  } else if (text.startsWith("failed")) {
    stan = {
      initialised: false,
      healthy: false,
      divergences: 0,
      maxRhat: Number.NaN,
      minEss: 0,
      wall_s: Number(text.split(" ")[1]),
      essPerS: 0,
      hits90: 0,
      quantities: 0,
    };
  } else {
    const [head, ...body] = text.trim().split("\n");
    const cols = head.split(",").map((c) => c.replaceAll('"', ""));
    const chains: Record<string, number[][]> = {};
    let div = 0;
    for (const line of body) {
      const v = line.split(",").map(Number);
      const c = v[0] - 1;
      cols.forEach((name, j) => {
        if (name === "chain") return;
        if (name === "divergent") {
          div += v[j];
          return;
        }
        chains[name] ??= [];
        chains[name][c] ??= [];
        chains[name][c].push(v[j]);
      });
    }
    const draws = Object.fromEntries(
      Object.entries(chains)
        .filter(([k]) => k !== "sigma_s")
        .map(([k, cs]) => [k, cs.map((x) => Float64Array.from(x))]),
    );
    stan = judge(draws, tv, div, Number(readFileSync(`${outPath}.time`, "utf8")));
  }
  return stan;
}
