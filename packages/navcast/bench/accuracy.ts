/**
 * Nowcast accuracy on simulated funds (issue 5, MODEL.md section 9): at each window end, the
 * error of the posterior median of log V_tau against the true log V_tau, next to the last GP NAV
 * rolled forward with cash flows and the PME-naive NAV. Writes bench/results/accuracy-<years>y.md.
 * Usage: tsx --conditions source bench/accuracy.ts [funds=10] [years=4] [chains=4] [warmup=1000]
 *        [draws=1000] [every=1 (every k-th quarterly window)]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { trimToFirstContribution } from "../src/fund-processor.js";
import { rolledForwardNav } from "../src/pme.js";
import { createRng } from "../src/rng.js";
import { parseRunConfig } from "../src/run-config.js";
import { isFitted, runWindows } from "../src/run-windows.js";
import { drawParams, simulateFund } from "../src/simulate.js";
import { generateSkeleton } from "../src/skeleton.js";
import { windowEnds } from "../src/window-schedule.js";

const [funds = "10", years = "4", chains = "4", warmup = "1000", draws = "1000", every = "1"] =
  process.argv.slice(2);
const t0 = performance.now();
let failed = 0;
const errs = { model: [] as number[], rolled: [] as number[], pme: [] as number[] };
for (let i = 0; i < Number(funds); i++) {
  const truth = drawParams(createRng(7, 0xacc, i));
  const fund = trimToFirstContribution(
    simulateFund(generateSkeleton({ seed: 7000 + i, years: Number(years) }), truth, {
      seed: 7000 + i,
    }),
  ).fund;
  const ends = windowEnds(fund, "quarterly").filter(
    (_, k, a) => k % Number(every) === 0 || k === a.length - 1,
  );
  const cfg = parseRunConfig({
    windows: ends.map((t) => fund.weeks[t - 1]),
    sampler: { chains: Number(chains), warmup: Number(warmup), draws: Number(draws), seed: 1 },
  });
  const all = await runWindows(fund, cfg);
  const res = all.filter(isFitted);
  failed += all.length - res.length;
  for (const w of res) {
    const tv = Math.log(fund.truth?.V[w.tau - 1] ?? Number.NaN);
    errs.model.push(Math.abs(Math.log(w.nowcast.V.q50) - tv));
    const rf = rolledForwardNav(fund.navGp, fund.contributions, fund.distributions, w.tau);
    if (rf > 0) errs.rolled.push(Math.abs(Math.log(rf) - tv));
    if (w.nowcast.pme_naive > 0) errs.pme.push(Math.abs(Math.log(w.nowcast.pme_naive) - tv));
  }
  process.stderr.write(`fund ${i + 1}/${funds}: ${res.length} windows\n`);
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? Number.NaN;
const meta = {
  date: new Date().toISOString(),
  machine: `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}`,
  command: `tsx --conditions source bench/accuracy.ts ${process.argv.slice(2).join(" ")}`,
  wall_s: Math.round((performance.now() - t0) / 1000),
};
const lines = [
  `# Nowcast accuracy, ${funds} simulated ${years}-year funds (default priors)`,
  "",
  `${meta.date}, ${meta.machine}, \`${meta.command}\`, ${meta.wall_s} s.`,
  "",
  "| nowcast | windows | median abs error of log V_tau |",
  "| --- | --- | --- |",
  `| NAVcast posterior median | ${errs.model.length} | ${med(errs.model).toFixed(4)} |`,
  `| last GP NAV rolled forward with cash flows | ${errs.rolled.length} | ${med(errs.rolled).toFixed(4)} |`,
  `| PME-naive NAV | ${errs.pme.length} | ${med(errs.pme).toFixed(4)} |`,
  "",
  `Windows that could not be fitted (reported as errors, e.g. too few weeks for GARCH): ${failed}.`,
];
const dir = new URL("./results/", import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL(`accuracy-${years}y.md`, dir), `${lines.join("\n")}\n`);
console.log(lines.join("\n"));
