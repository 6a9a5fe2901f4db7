import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createRng, normal } from "../rng.js";
import { posteriordbDir } from "../testing/posteriordb-dir.js";
import { betaQuantile } from "./beta-quantile.js";
import { ebfmi } from "./ebfmi.js";
import { essBulk, essMean, essTail } from "./ess.js";
import { mcseMean, mcseQuantile, mcseSd } from "./mcse.js";
import { normalQuantile } from "./normal-quantile.js";
import { rhat } from "./rhat.js";

interface Case {
  expected: Record<string, number>;
  draws_by_chain: number[][];
}
const vectors = JSON.parse(
  readFileSync(new URL("diagnostics_vectors.json", posteriordbDir()), "utf8"),
) as { cases: Record<string, Case> };

const rel = (a: number, b: number) => Math.abs(a / b - 1);

describe.each(Object.entries(vectors.cases))("diagnostics on %s", (_name, c) => {
  const x = c.draws_by_chain;
  const e = c.expected;
  it("reproduces R-hat, bulk/tail/mean ESS of the posterior R package to 1e-6", () => {
    expect(rel(rhat(x), e.rhat)).toBeLessThan(1e-6);
    expect(rel(essBulk(x), e.ess_bulk)).toBeLessThan(1e-6);
    expect(rel(essTail(x), e.ess_tail)).toBeLessThan(1e-6);
    expect(rel(essMean(x), e.ess_mean)).toBeLessThan(1e-6);
  });
  it("reproduces the MCSE of mean and sd to 1e-6", () => {
    expect(rel(mcseMean(x), e.mcse_mean)).toBeLessThan(1e-6);
    expect(rel(mcseSd(x), e.mcse_sd)).toBeLessThan(1e-6);
  });
});

describe("normalQuantile and betaQuantile", () => {
  it("match scipy.stats to 1e-12", () => {
    // scipy.stats.norm.ppf / beta.ppf (scipy 1.17)
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 12);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.3)).toBeCloseTo(-0.5244005127080407, 12);
    expect(betaQuantile(0.1586553, 3, 5)).toBeCloseTo(0.20608384145826683, 12);
    expect(betaQuantile(0.8413447, 100.5, 900.5)).toBeCloseTo(0.10988751445782392, 12);
  });
});

describe("ESS, MCSE and E-BFMI on independent draws", () => {
  const rng = createRng(11);
  const x = Array.from({ length: 4 }, () => Float64Array.from({ length: 1000 }, () => normal(rng)));
  it("gives ESS near the number of draws and R-hat near 1", () => {
    // for iid draws the ESS estimate has a relative sd of a few percent
    expect(essBulk(x)).toBeGreaterThan(3400);
    expect(essBulk(x)).toBeLessThan(4600);
    expect(rhat(x)).toBeLessThan(1.01);
  });
  it("gives the asymptotic MCSE of the mean and of the 5% quantile", () => {
    expect(rel(mcseMean(x), 1 / Math.sqrt(4000))).toBeLessThan(0.15);
    // sqrt(p (1 - p) / n) / phi(z_p) for p = 0.05
    const z = normalQuantile(0.05);
    const asym =
      Math.sqrt((0.05 * 0.95) / 4000) / (Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI));
    expect(rel(mcseQuantile(x, 0.05), asym)).toBeLessThan(0.3);
    expect(rel(mcseSd(x), 1 / Math.sqrt(2 * 4000))).toBeLessThan(0.15);
  });
  it("gives E-BFMI 2 for independent energies and near 0 for a random walk", () => {
    expect(rel(ebfmi(x[0]), 2)).toBeLessThan(0.15);
    const walk = new Float64Array(1000);
    for (let i = 1; i < 1000; i++) walk[i] = walk[i - 1] + x[1][i];
    expect(ebfmi(walk)).toBeLessThan(0.05);
  });
  it("flags chains stuck in different places with R-hat > 1.1", () => {
    const y = x.map((c, i) => c.map((v) => v + (i === 0 ? 3 : 0)));
    expect(rhat(y)).toBeGreaterThan(1.1);
    expect(Number.isNaN(rhat([Float64Array.from([1, 1, 1, 1])]))).toBe(true);
  });
});
