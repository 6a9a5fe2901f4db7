/**
 * Full simulation-based calibration study (issue 5, MODEL.md section 9): funds simulated from the
 * default priors, the last window fitted, ranks and 50%/90% coverage per quantity. Writes
 * bench/results/calibration-<years>y.{json,md,png}.
 * Usage: tsx --conditions source bench/calibration.ts [replications=200] [years=4] [chains=4]
 *        [warmup=1000] [draws=1000] [seed=1]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { coverage, runCalibration } from "../src/calibration.js";
import { rankHistogramsPng } from "./png.js";

const [reps = "200", years = "4", chains = "4", warmup = "1000", draws = "1000", seed = "1"] =
  process.argv.slice(2);
const t0 = performance.now();
const res = await runCalibration({
  seed: Number(seed),
  replications: Number(reps),
  years: Number(years),
  chains: Number(chains),
  warmup: Number(warmup),
  draws: Number(draws),
  rankDraws: 99,
  samplerConfig: process.env.NAVCAST_SAMPLER ? JSON.parse(process.env.NAVCAST_SAMPLER) : undefined,
  onReplication: (i, r) =>
    process.stderr.write(
      `rep ${i + 1}/${reps}: max rhat ${r.maxRhat.toFixed(3)}, divergences ${r.divergences}\n`,
    ),
});
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
const dir = new URL("./results/", import.meta.url);
mkdirSync(dir, { recursive: true });
const stem = `calibration-${years}y${process.env.NAVCAST_STEM ?? ""}`;
const meta = {
  date: new Date().toISOString(),
  machine: `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}`,
  command: `tsx --conditions source bench/calibration.ts ${process.argv.slice(2).join(" ")}`,
  wall_s: Number(sec.toFixed(0)),
};
writeFileSync(
  new URL(`${stem}.json`, dir),
  JSON.stringify({ meta, coverage: cov, hists, names, results: res }, null, 1),
);
writeFileSync(new URL(`${stem}.png`, dir), rankHistogramsPng(hists, res.length / bins));
const medAbs = res.map((r) => Math.abs(r.nowcastLogError)).sort((a, b) => a - b)[
  Math.floor(res.length / 2)
];
const lines = [
  `# Simulation-based calibration, ${years}-year funds, ${res.length} replications`,
  "",
  `${meta.date}, ${meta.machine}, \`${meta.command}\`, ${meta.wall_s} s.`,
  "",
  `Healthy fits (R-hat < 1.01 everywhere, <= 4 divergences): ${healthy}/${res.length}.`,
  `Median |log nowcast error|: ${medAbs.toFixed(4)}. Pooled coverage: 50% ${cov.pooled50.toFixed(3)}, 90% ${cov.pooled90.toFixed(3)}.`,
  "",
  "| quantity | 50% coverage | 90% coverage | rank histogram (10 bins) |",
  "| --- | --- | --- | --- |",
  ...names.map(
    (k, i) =>
      `| ${k} | ${cov.per[k].c50.toFixed(2)} | ${cov.per[k].c90.toFixed(2)} | ${hists[i].join(" ")} |`,
  ),
  "",
  `Panels of ${stem}.png are in the table's order.`,
];
writeFileSync(new URL(`${stem}.md`, dir), `${lines.join("\n")}\n`);
console.log(lines.join("\n"));
