/**
 * Full simulation-based calibration study (issue 5, MODEL.md section 9): funds simulated from the
 * default priors, the last window fitted, ranks and 50%/90% coverage per quantity. Writes
 * bench/results/calibration-<years>y.{json,md,png}.
 * The report is rewritten after every replication, so a long study stopped early leaves a valid
 * (smaller) one. Coverage is judged against binomial error; rank histograms by a chi-square test
 * of uniformity (10 bins).
 * Usage: tsx --conditions source bench/calibration.ts [replications=200] [years=4] [chains=4]
 *        [warmup=1000] [draws=1000] [seed=1] [first=0]
 * Env: NAVCAST_CONFIG (config overrides), NAVCAST_STEM (suffix of the result files),
 *      NAVCAST_ONLY (comma-separated replication indices: fit only these),
 *      NAVCAST_REPORT_FROM (rewrite the report from a results JSON, with the same arguments; a
 *      comma-separated list merges the shards of one study, run in parallel with `first`; a
 *      replication in a later file replaces the same replication in an earlier one, and results
 *      without an index are numbered by their place in their file, as a study from 0 writes them).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import {
  coverage,
  type ReplicationResult,
  replicationFund,
  replicationsFromJson,
  runCalibration,
} from "../src/calibration.js";
import { pmeNaive, rolledForwardNav } from "../src/pme.js";
import { rankHistogramsPng } from "./png.js";

const [
  reps = "200",
  years = "4",
  chains = "4",
  warmup = "1000",
  draws = "1000",
  seed = "1",
  first = "0",
] = process.argv.slice(2);
/** Chi-square statistic of a histogram against uniform, and its 1% critical value (9 df). */
function chiSquare(h: number[]): number {
  const n = h.reduce((a, b) => a + b, 0);
  const e = n / h.length;
  return h.reduce((a, x) => a + (x - e) ** 2 / e, 0);
}
const CHI2_9_99 = 21.67;
/**
 * Kolmogorov-Smirnov statistic sqrt(n) D of ranks 0..L against the uniform (each rank at the
 * middle of its 1 / (L + 1) cell), and its asymptotic 1% critical value. It looks at the whole
 * rank distribution at once, so it is the sharper test against a shift or a wrong spread.
 */
function ksStatistic(ranks: number[], L: number): number {
  const u = ranks.map((r) => (r + 0.5) / (L + 1)).sort((a, b) => a - b);
  const n = u.length;
  const d = u.reduce((m, v, i) => Math.max(m, (i + 1) / n - v, v - i / n), 0);
  return Math.sqrt(n) * d;
}
const KS_99 = 1.63;

const t0 = performance.now();
const dir = new URL("./results/", import.meta.url);
mkdirSync(dir, { recursive: true });
const stem = `calibration-${years}y${process.env.NAVCAST_STEM ?? ""}`;
const res: ReplicationResult[] = [];
// NAVCAST_REPORT_FROM=<json>: rewrite the report of a finished (or stopped) study from its
// results, with the arguments it ran with, without fitting anything
// (several files, comma-separated: the shards of one study, in replication order)
const loaded = process.env.NAVCAST_REPORT_FROM
  ? process.env.NAVCAST_REPORT_FROM.split(",")
      .map((f) => {
        const j = JSON.parse(readFileSync(f, "utf8")) as {
          meta: Record<string, unknown>;
          results: ReplicationResult[];
        };
        j.results = replicationsFromJson(j.results);
        return j;
      })
      .reduce((a, b) => {
        const replaced = new Set(b.results.map((r) => r.replication));
        return {
          meta: {
            ...a.meta,
            command: `${String(a.meta.command)} + ${String(b.meta.command)}`,
            wall_s: Math.max(Number(a.meta.wall_s), Number(b.meta.wall_s)),
          },
          results: [...a.results.filter((r) => !replaced.has(r.replication)), ...b.results].sort(
            (x, y) => (x.replication ?? 0) - (y.replication ?? 0),
          ),
        };
      })
  : null;
if (loaded) {
  res.push(...loaded.results);
  report();
} else
  await runCalibration({
    seed: Number(seed),
    replications: Number(reps),
    first: Number(first),
    years: Number(years),
    chains: Number(chains),
    warmup: Number(warmup),
    draws: Number(draws),
    only: process.env.NAVCAST_ONLY?.split(",").map(Number),
    rankDraws: 99,
    // e.g. NAVCAST_CONFIG='{"parameterization":"xi","sampler":{"local_step_error":0}}' to compare
    config: process.env.NAVCAST_CONFIG ? JSON.parse(process.env.NAVCAST_CONFIG) : undefined,
    onReplication: (i, r) => {
      res.push(r);
      process.stderr.write(
        `rep ${i + 1}: max rhat ${r.maxRhat.toFixed(3)}, min ess ${r.minEss.toFixed(0)}, divergences ${r.divergences}, ${r.extensionRounds} extension rounds (${r.extensionStop})${r.restart ? `, restarted (first run ${r.restart.first.maxRhat.toFixed(3)} / ${r.restart.first.minEss.toFixed(0)} / ${r.restart.first.divergences} divergences, second ${r.restart.second.maxRhat.toFixed(3)} / ${r.restart.second.minEss.toFixed(0)} / ${r.restart.second.divergences}; kept the ${r.restart.kept})` : ""}, ${r.seconds.toFixed(0)} s\n`,
      );
      report();
    },
  });

function report(): void {
  const sec = (performance.now() - t0) / 1000;
  const cov = coverage(res);
  const names = Object.keys(cov.per);
  const bins = 10;
  const hists = names.map((k) => {
    const h = new Array(bins).fill(0);
    for (const r of res) h[Math.min(bins - 1, Math.floor((r.rank[k] / (r.draws + 1)) * bins))]++;
    return h;
  });
  const healthy = res.filter((r) => r.maxRhat < 1.01 && r.divergences <= 4).length;
  const fresh = {
    date: new Date().toISOString(),
    machine: `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}`,
    command: `${process.env.NAVCAST_ONLY ? `NAVCAST_ONLY=${process.env.NAVCAST_ONLY} ` : ""}tsx --conditions source bench/calibration.ts ${process.argv.slice(2).join(" ")}`,
    config: process.env.NAVCAST_CONFIG ?? "defaults",
    wall_s: Number(sec.toFixed(0)),
  };
  const meta = (loaded?.meta as typeof fresh | undefined) ?? fresh;
  writeFileSync(
    new URL(`${stem}.json`, dir),
    JSON.stringify({ meta, coverage: cov, hists, names, results: res }, null, 1),
  );
  writeFileSync(new URL(`${stem}.png`, dir), rankHistogramsPng(hists, res.length / bins));
  const sorted = res.map((r) => Math.abs(r.nowcastLogError)).sort((a, b) => a - b);
  const medAbs = sorted[Math.floor(sorted.length / 2)];
  const n = res.length;
  // 2-sd binomial bands of the coverage of one quantity over n replications
  const band = (p: number) => 2 * Math.sqrt((p * (1 - p)) / n);
  const mark = (c: number, p: number) => (Math.abs(c - p) <= band(p) ? "" : " (!)");
  const lines = [
    `# Simulation-based calibration, ${years}-year funds, ${n} replications`,
    "",
    `${meta.date}, ${meta.machine}, \`${meta.command}\`, config ${meta.config}, ${meta.wall_s} s.`,
    "",
    `Every fit started: ${n}/${n}. Healthy fits (R-hat < 1.01 for every parameter and V_tau, <= 4 divergences): ${healthy}/${n}.`,
    `Median |log nowcast error|: ${medAbs.toFixed(4)}. Pooled coverage: 50% ${cov.pooled50.toFixed(3)}, 90% ${cov.pooled90.toFixed(3)}.`,
    `Binomial 2-sd bands at n = ${n}: 50% ± ${band(0.5).toFixed(3)}, 90% ± ${band(0.9).toFixed(3)}; (!) marks a coverage outside them.`,
    `Rank uniformity: chi-square over 10 bins, 1% critical value ${CHI2_9_99} (9 df); Kolmogorov-Smirnov sqrt(n) D of the ranks, 1% critical value ${KS_99}.`,
    "",
    "| quantity | 50% coverage | 90% coverage | chi-square | KS | rank histogram (10 bins) |",
    "| --- | --- | --- | --- | --- | --- |",
    ...names.map((k, i) => {
      const ks = ksStatistic(
        res.map((r) => r.rank[k]),
        res[0]?.draws ?? 0,
      );
      return `| ${k} | ${cov.per[k].c50.toFixed(2)}${mark(cov.per[k].c50, 0.5)} | ${cov.per[k].c90.toFixed(2)}${mark(cov.per[k].c90, 0.9)} | ${chiSquare(hists[i]).toFixed(1)}${chiSquare(hists[i]) > CHI2_9_99 ? " (!)" : ""} | ${ks.toFixed(2)}${ks > KS_99 ? " (!)" : ""} | ${hists[i].join(" ")} |`;
    }),
    "",
    `Panels of ${stem}.png are in the table's order.`,
    "",
    ...accuracyTable(),
  ];
  writeFileSync(new URL(`${stem}.md`, dir), `${lines.join("\n")}\n`);
}

/**
 * Nowcast accuracy at the last week of the same funds (MODEL.md section 9): |log error| of the
 * posterior median next to the last GP NAV rolled forward with cash flows and the PME-naive NAV
 * (both recomputed from the replication's fund; they need no fit).
 */
function accuracyTable(): string[] {
  const model: number[] = [];
  const rolled: number[] = [];
  const pme: number[] = [];
  let better = 0;
  let paired = 0;
  res.forEach((r, k) => {
    const { fund } = replicationFund(
      Number(seed),
      r.replication ?? Number(first) + k,
      Number(years),
    );
    const T = fund.weeks.length;
    const tv = Math.log(fund.truth?.V[T - 1] ?? Number.NaN);
    const e = Math.abs(r.nowcastLogError);
    model.push(e);
    const rf = rolledForwardNav(fund.navGp, fund.contributions, fund.distributions, T);
    if (rf > 0) {
      const er = Math.abs(Math.log(rf) - tv);
      rolled.push(er);
      paired++;
      if (e < er) better++;
    }
    const p = pmeNaive(fund.contributions, fund.distributions, fund.market)[T - 1];
    if (p > 0) pme.push(Math.abs(Math.log(p) - tv));
  });
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? Number.NaN;
  return [
    "Nowcast accuracy at the last week of the same funds (|log V_tau error|; a baseline is left out",
    "where it is 0, e.g. after the value was distributed):",
    "",
    "| nowcast | funds | median | 90th percentile |",
    "| --- | --- | --- | --- |",
    ...(
      [
        ["NAVcast posterior median", model],
        ["last GP NAV rolled forward with cash flows", rolled],
        ["PME-naive NAV", pme],
      ] as const
    ).map(([name, a]) => {
      const s90 = [...a].sort((x, y) => x - y)[Math.floor(0.9 * a.length)] ?? Number.NaN;
      return `| ${name} | ${a.length} | ${med(a).toFixed(4)} | ${s90.toFixed(4)} |`;
    }),
    "",
    `NAVcast closer to the truth than the rolled-forward NAV on ${better} of ${paired} funds.`,
  ];
}
