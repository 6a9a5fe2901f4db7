/**
 * Full simulation-based calibration study (issue 5, MODEL.md section 9): funds simulated from the
 * default priors, the last window fitted, ranks and 50%/90% coverage per quantity. Writes
 * bench/results/calibration-<years>y.{json,md,png}.
 * The report is rewritten after every replication, so a long study stopped early leaves a valid
 * (smaller) one. Coverage is judged against binomial error; rank histograms by a chi-square test
 * of uniformity (10 bins).
 * Usage: tsx --conditions source bench/calibration.ts [replications=200] [years=4] [chains=4]
 *        [warmup=1000] [draws=1000] [seed=1] [first=0]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { coverage, type ReplicationResult, runCalibration } from "../src/calibration.js";
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

const t0 = performance.now();
const dir = new URL("./results/", import.meta.url);
mkdirSync(dir, { recursive: true });
const stem = `calibration-${years}y${process.env.NAVCAST_STEM ?? ""}`;
const res: ReplicationResult[] = [];
await runCalibration({
  seed: Number(seed),
  replications: Number(reps),
  first: Number(first),
  years: Number(years),
  chains: Number(chains),
  warmup: Number(warmup),
  draws: Number(draws),
  rankDraws: 99,
  // e.g. NAVCAST_CONFIG='{"parameterization":"xi","sampler":{"local_step_error":0}}' to compare
  config: process.env.NAVCAST_CONFIG ? JSON.parse(process.env.NAVCAST_CONFIG) : undefined,
  onReplication: (i, r) => {
    res.push(r);
    process.stderr.write(
      `rep ${i + 1}: max rhat ${r.maxRhat.toFixed(3)}, divergences ${r.divergences}, ${r.seconds.toFixed(0)} s\n`,
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
  const meta = {
    date: new Date().toISOString(),
    machine: `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}`,
    command: `tsx --conditions source bench/calibration.ts ${process.argv.slice(2).join(" ")}`,
    config: process.env.NAVCAST_CONFIG ?? "defaults",
    wall_s: Number(sec.toFixed(0)),
  };
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
    `Rank uniformity: chi-square over 10 bins, 1% critical value ${CHI2_9_99} (9 df).`,
    "",
    "| quantity | 50% coverage | 90% coverage | chi-square | rank histogram (10 bins) |",
    "| --- | --- | --- | --- | --- |",
    ...names.map(
      (k, i) =>
        `| ${k} | ${cov.per[k].c50.toFixed(2)}${mark(cov.per[k].c50, 0.5)} | ${cov.per[k].c90.toFixed(2)}${mark(cov.per[k].c90, 0.9)} | ${chiSquare(hists[i]).toFixed(1)}${chiSquare(hists[i]) > CHI2_9_99 ? " (!)" : ""} | ${hists[i].join(" ")} |`,
    ),
    "",
    `Panels of ${stem}.png are in the table's order.`,
  ];
  writeFileSync(new URL(`${stem}.md`, dir), `${lines.join("\n")}\n`);
}
