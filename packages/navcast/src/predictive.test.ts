import { describe, expect, it } from "vitest";
import { createDensity, floorEps } from "./density.js";
import { processWindow, trimToFirstContribution } from "./fund-processor.js";
import { masterShocks } from "./master-shocks.js";
import { DEFAULT_MODEL_OPTIONS } from "./model-config.js";
import {
  allocatePredictiveDraws,
  type PredictiveDraws,
  predictivePaths,
  replicateObservations,
} from "./predictive.js";
import { createPredictiveKernels } from "./predictive-kernels.js";
import { createRng, normal } from "./rng.js";
import { simulateFund } from "./simulate.js";
import { generateSkeleton } from "./skeleton.js";

const P = {
  alpha: 0.0005,
  beta: 1,
  F: 1,
  rho: 0.5,
  lambda: 0.5,
  sigma_n: 0.05,
  log_delta: Math.log(0.08),
  sigma_d: 0.4,
  sigma_s: 0.1,
};

/** Pseudo-posterior draws: perturbed parameters and value paths from the density at random shocks. */
function setup(n: number, tau: number) {
  const f = trimToFirstContribution(
    simulateFund(generateSkeleton({ seed: 8, years: 4 }), P, { seed: 9 }),
  ).fund;
  const { data } = processWindow(f, f.weeks.length, { garchMethod: "garch", allowIgarch: false });
  const win = processWindow(f, tau, { garchMethod: "garch", allowIgarch: false }).data;
  const dens = createDensity({ ...win, h: data.h.subarray(0, tau) }, DEFAULT_MODEL_OPTIONS);
  const r = createRng(77);
  const d = allocatePredictiveDraws(n, tau);
  const q = new Float64Array(dens.dim);
  const lv = new Float64Array(tau);
  for (let s = 0; s < n; s++) {
    const p = {
      ...P,
      F: P.F * Math.exp(0.2 * normal(r)),
      rho: Math.tanh(0.5 + 0.3 * normal(r)),
      sigma_n: 0.05 * Math.exp(0.5 * normal(r)),
    };
    dens.unconstrainParams(p, q);
    for (let t = 0; t < tau; t++) q[dens.xiOffset + t] = normal(r);
    dens.logValuePath(q, lv);
    d.alpha[s] = p.alpha;
    d.beta[s] = p.beta;
    d.F[s] = p.F;
    d.rho[s] = p.rho;
    d.lambda[s] = p.lambda;
    d.sigmaN[s] = p.sigma_n;
    d.logDelta[s] = p.log_delta;
    d.sigmaD[s] = p.sigma_d;
    d.logV.set(lv, s * tau);
    // e_t equals xi_t where y is missing; the test only needs some shock path
    d.e.set(q.subarray(dens.xiOffset, dens.xiOffset + tau), s * tau);
  }
  return { data, d, eps: floorEps(win.contributions) };
}

describe("posterior predictive", () => {
  it("gives the same replications from the gpu.js kernels (CPU mode) as from TypeScript, to float32", () => {
    const n = 64;
    const tau = 150;
    const H = 208;
    const { data, d, eps } = setup(n, tau);
    const shocks = masterShocks(3, 520, 128);
    const paths = predictivePaths(data, d, tau, H, 2, eps, shocks);
    const ref = replicateObservations(data, d, paths, shocks, data.alphaC, data.betaCM);
    const k = createPredictiveKernels(n, H, "cpu");
    const got = k.run(data, d, paths, shocks, data.alphaC, data.betaCM);
    k.destroy();
    let worst = 0;
    for (const key of ["y", "logD", "N", "V"] as const) {
      for (let i = 0; i < n * H; i++) {
        const a = ref[key][i];
        const b = got[key][i];
        if (Number.isNaN(a)) {
          expect(Number.isNaN(b)).toBe(true);
          continue;
        }
        // float32 rounding of inputs and outputs: relative for V and N, absolute for the
        // log-scale and return quantities that cross 0
        const scale = key === "y" ? 0.05 : key === "logD" ? Math.max(1, Math.abs(a)) : Math.abs(a);
        worst = Math.max(worst, Math.abs(a - b) / scale);
      }
    }
    expect(worst).toBeLessThan(2e-5);
  });

  it("reuses the same random numbers across windows (common random numbers)", () => {
    const n = 16;
    const { data, d, eps } = setup(n, 100);
    const shocks = masterShocks(3, 300, 32);
    // a shorter window on the same draws: up to its tau the replications of y and N agree exactly
    const a = replicateObservations(
      data,
      d,
      predictivePaths(data, d, 100, 120, 2, eps, shocks),
      shocks,
      0,
      1,
    );
    const b = replicateObservations(
      data,
      d,
      predictivePaths(data, d, 100, 200, 2, eps, shocks),
      shocks,
      0,
      1,
    );
    for (let s = 0; s < n; s++) {
      for (let t = 0; t < 120; t++) {
        expect(b.y[s * 200 + t]).toBe(a.y[s * 120 + t]);
        expect(b.N[s * 200 + t]).toBe(a.N[s * 120 + t]);
      }
    }
    expect(masterShocks(3, 300, 32).nav).toEqual(shocks.nav);
  });

  it("replicates NAVs with the truncated-normal mean B (1 + sigma_n phi(a) / (1 - Phi(a)))", () => {
    // n identical draws with a constant value path: N_rep / B - 1 = sigma_n z, z ~ N(0,1) | z > a
    const n = 4000;
    const H = 5;
    const one = (v: number) => new Float64Array(n).fill(v);
    const d: PredictiveDraws = {
      n,
      alpha: one(0),
      beta: one(1),
      F: one(1),
      rho: one(0.3),
      lambda: one(0.5),
      sigmaN: one(0.8),
      logDelta: one(-3),
      sigmaD: one(0.5),
      logV: one(0).map(() => Math.log(100)),
      e: one(0),
    };
    const lv = new Float64Array(n * H).fill(Math.log(100));
    d.logV = lv;
    d.e = new Float64Array(n * H);
    const data = setup(1, 40).data;
    const shocks = masterShocks(5, H, n);
    const out = replicateObservations(
      data,
      d,
      predictivePaths(data, d, H, H, 0, 1e-4, shocks),
      shocks,
      0,
      1,
    );
    const a = -1 / 0.8;
    const phi = Math.exp(-0.5 * a * a) / Math.sqrt(2 * Math.PI);
    const mean = phi / (1 - 0.10564977366685535); // E[z | z > a], Phi(-1.25) = 0.10565
    let acc = 0;
    for (let s = 0; s < n; s++) acc += (out.N[s * H + H - 1] / 100 - 1) / 0.8;
    expect(out.N.every((x) => x > 0)).toBe(true);
    // sd of the truncated z is below 1
    expect(Math.abs(acc / n - mean)).toBeLessThan(4 / Math.sqrt(n));
  });
});

describe("posteriorPredictive", () => {
  it("runs from raw draws on both engines with equal results to float32", async () => {
    const { posteriorPredictive } = await import("./predictive-run.js");
    const f = trimToFirstContribution(
      simulateFund(generateSkeleton({ seed: 8, years: 2 }), P, { seed: 9 }),
    ).fund;
    const full = processWindow(f, 104, { garchMethod: "garch", allowIgarch: false }).data;
    const win = {
      ...full,
      ...Object.fromEntries(
        ["contributions", "distributions", "navGp", "secondary", "market", "comparable", "h"].map(
          (k) => [k, (full as unknown as Record<string, Float64Array>)[k].subarray(0, 80)],
        ),
      ),
    };
    const dens = createDensity(win, DEFAULT_MODEL_OPTIONS);
    const r = createRng(4);
    const raw = [Float64Array.from({ length: 10 * dens.dim }, () => 0.3 * normal(r))];
    const shocks = masterShocks(1, 104, 10);
    const a = posteriorPredictive(dens, full, raw, shocks, { horizon: 104, engine: "typescript" });
    const b = posteriorPredictive(dens, full, raw, shocks, { horizon: 104 });
    expect(a.n).toBe(10);
    for (let i = 0; i < a.N.length; i++) expect(Math.abs(b.N[i] / a.N[i] - 1)).toBeLessThan(1e-5);
  });
});

describe("posteriorPredictive after a fit", () => {
  it("replicates the data of a fitted window; GP NAVs fall inside their 95% predictive bands", async () => {
    const { fitWindow } = await import("./fit-window.js");
    const { parseRunConfig } = await import("./run-config.js");
    const { posteriorPredictive } = await import("./predictive-run.js");
    const f = trimToFirstContribution(
      simulateFund(generateSkeleton({ seed: 8, years: 1.5 }), P, { seed: 9 }),
    ).fund;
    const cfg = parseRunConfig({
      windows: "last",
      sampler: { chains: 2, warmup: 150, draws: 100, seed: 3 },
    });
    const w = await fitWindow(f, 78, cfg, { keepRawDraws: true });
    const raw = w.raw;
    if (!raw) throw new Error("no raw draws");
    const out = posteriorPredictive(raw.density, raw.data, raw.draws, masterShocks(2, 78, 200));
    expect(out.n).toBe(200);
    let inside = 0;
    let total = 0;
    for (let t = 0; t < 78; t++) {
      const obs = raw.data.navGp[t];
      if (Number.isNaN(obs)) continue;
      const col = Array.from({ length: out.n }, (_, s) => out.N[s * 78 + t]).sort((a, b) => a - b);
      total++;
      if (obs >= col[4] && obs <= col[195]) inside++;
    }
    expect(total).toBeGreaterThan(4);
    // a posterior predictive check: almost every NAV inside its central 95% band
    expect(inside / total).toBeGreaterThan(0.75);
  });
});
