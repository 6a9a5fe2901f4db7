import { describe, expect, it } from "vitest";
import { createDensity, type DensityCoordinates, floorEps } from "./density.js";
import { DEFAULT_MODEL_OPTIONS, type ModelOptions } from "./model-config.js";
import type { ModelData } from "./model-data.js";
import { createRng, normal, uniform } from "./rng.js";

/** A random small fund: flows, sparse NAVs, a few secondary prices, gaps in the comparable. */
function randomData(seed: number, T: number, opts: { bigDistribution?: boolean } = {}): ModelData {
  const r = createRng(seed);
  const C = new Float64Array(T);
  const D = new Float64Array(T);
  const N = new Float64Array(T).fill(Number.NaN);
  const S = new Float64Array(T).fill(Number.NaN);
  const y = new Float64Array(T);
  const m = new Float64Array(T);
  const h = new Float64Array(T);
  C[0] = 100;
  for (let i = 0; i < T; i++) {
    if (i > 0 && i < T / 2 && uniform(r) < 0.2) C[i] = 20 + 30 * uniform(r);
    if (i > 4 && uniform(r) < 0.15) D[i] = 5 + 10 * uniform(r);
    if (i % 6 === 5) N[i] = 80 + 60 * uniform(r);
    if (i % 17 === 9) S[i] = 70 + 60 * uniform(r);
    m[i] = 0.001 + 0.02 * normal(r);
    h[i] = 4e-4 * (0.5 + uniform(r));
    y[i] = uniform(r) < 0.1 ? Number.NaN : 0.0005 + 1.1 * m[i] + Math.sqrt(h[i]) * normal(r);
  }
  if (opts.bigDistribution) D[T - 8] = 1e5; // drives V into the floor (x/eps << -30)
  return {
    contributions: C,
    distributions: D,
    navGp: N,
    secondary: S,
    market: m,
    comparable: y,
    h,
    alphaC: 0.0004,
    betaCM: 1.05,
    alphaCSe: 0.0003,
    betaCMSe: 0.05,
    deltaHat: 0.08,
    sigmaDHat: 0.6,
  };
}

const TYPICAL = {
  alpha: 0.001,
  beta: 1,
  F: 1,
  rho: 0.3,
  lambda: 0.5,
  sigma_n: 0.1,
  log_delta: Math.log(0.08),
  sigma_d: 0.6,
  sigma_s: 0.1,
  alpha_c: 0.0004,
  beta_cM: 1.05,
};

function checkGradient(
  data: ModelData,
  options: ModelOptions,
  seed: number,
  coordinates?: DensityCoordinates,
) {
  const dens = createDensity(data, options, coordinates);
  const r = createRng(seed, 99);
  const q = new Float64Array(dens.dim);
  dens.unconstrainParams(TYPICAL, q);
  for (let k = 0; k < dens.dim; k++) {
    const name = dens.names[k];
    const scale = name === "alpha" || name === "alpha_c" ? 0.001 : name === "beta_cM" ? 0.05 : 0.3;
    q[k] += (k < dens.xiOffset ? scale : 1) * normal(r);
  }
  // threshold coordinates: shocks drawn as xi, then mapped (zeta ~ N(0, 1) would put every net
  // distribution week at its threshold, where the NAVs' log-likelihood is of order -1e13 and
  // finite differences lose every digit); kappa ~ N(0, 1) is already a shock-like draw
  if (coordinates?.distributionWeeks !== "log_value") dens.coordinatesFromShocks(q);
  const grad = new Float64Array(dens.dim);
  const lp = dens.logDensityGradient(q, grad);
  expect(Number.isFinite(lp)).toBe(true);
  const g2 = new Float64Array(dens.dim);
  let worst = 0;
  for (let k = 0; k < dens.dim; k++) {
    // fourth-order central difference
    const h = 1e-4;
    const qk = q[k];
    const f = (d: number) => {
      q[k] = qk + d;
      const v = dens.logDensityGradient(q, g2);
      q[k] = qk;
      return v;
    };
    const fd = (-f(2 * h) + 8 * f(h) - 8 * f(-h) + f(-2 * h)) / (12 * h);
    const err = Math.abs(fd - grad[k]) / Math.max(1, Math.abs(grad[k]));
    worst = Math.max(worst, err);
  }
  return { worst, lp };
}

describe("NavcastDensity.logDensityGradient", () => {
  it.each([
    ["default options (L = 2)", DEFAULT_MODEL_OPTIONS, {}],
    ["L = 0", { ...DEFAULT_MODEL_OPTIONS, navLagWeeks: 0 }, {}],
    [
      "L = 5, category1 prior",
      { ...DEFAULT_MODEL_OPTIONS, navLagWeeks: 5, category1: "prior" },
      {},
    ],
    [
      "a distribution that drives V into the floor",
      DEFAULT_MODEL_OPTIONS,
      { bigDistribution: true },
    ],
    [
      "configured priors of every family",
      {
        ...DEFAULT_MODEL_OPTIONS,
        priors: {
          alpha: { family: "truncnormal", mu: 0, sigma: 0.01, lower: -0.05, upper: 0.05 },
          F: { family: "halfnormal", sigma: 1 },
          rho: { family: "truncnormal", mu: 0.5, sigma: 0.3, lower: -1, upper: 1 },
          lambda: { family: "uniform", lower: 0.1, upper: 0.95 },
          sigma_n: { family: "lognormal", mu: -3, sigma: 0.7 },
          sigma_d: { family: "truncnormal", mu: 1, sigma: 1, lower: 0.01 },
        },
      },
      {},
    ],
  ] as [string, ModelOptions, { bigDistribution?: boolean }][])(
    "matches central finite differences to 1e-6 relative (%s)",
    (_name, options, opts) => {
      for (const seed of [1, 2, 3]) {
        for (const distributionWeeks of ["threshold", "log_value", "xi"] as const) {
          const { worst } = checkGradient(randomData(seed, 70, opts), options, seed, {
            distributionWeeks,
          });
          expect(worst).toBeLessThan(1e-6);
        }
      }
    },
  );

  it("keeps log V finite where V underflows to 0", () => {
    const data = randomData(4, 40, { bigDistribution: true });
    const dens = createDensity(data, DEFAULT_MODEL_OPTIONS, { distributionWeeks: "xi" });
    const q = new Float64Array(dens.dim);
    const lv = dens.logValuePath(q, new Float64Array(40));
    const i = 40 - 8;
    // x / eps is about -1e5 / eps: V_t = eps * softplus(x / eps) underflows, log V_t does not
    expect(Math.exp(lv[i])).toBe(0);
    expect(Number.isFinite(lv[i])).toBe(true);
    expect(lv[i]).toBeLessThan(-1e5);
    const g = new Float64Array(dens.dim);
    expect(Number.isFinite(dens.logDensityGradient(q, g))).toBe(true);
    expect(g.every(Number.isFinite)).toBe(true);
  });

  it("follows the value recursion of MODEL.md section 2 when the floor is slack", () => {
    const data = randomData(5, 30);
    const dens = createDensity(data, DEFAULT_MODEL_OPTIONS, { distributionWeeks: "xi" });
    const q = new Float64Array(dens.dim);
    const r = createRng(5);
    for (let k = 0; k < dens.dim; k++) q[k] = 0.5 * normal(r);
    const p = dens.constrainedParams(q);
    const lv = dens.logValuePath(q, new Float64Array(30));
    let V = 0;
    for (let i = 0; i < 30; i++) {
      const xi = q[dens.xiOffset + i];
      const s = Math.sqrt(data.h[i]);
      const e = Number.isNaN(data.comparable[i])
        ? xi
        : (p.rho * (data.comparable[i] - data.alphaC - data.betaCM * data.market[i])) / s +
          Math.sqrt(1 - p.rho * p.rho) * xi;
      const rr = p.alpha + p.beta * data.market[i] + p.F * s * e;
      const x = V * Math.exp(rr) + data.contributions[i] - data.distributions[i];
      const eps = floorEps(data.contributions);
      V = x / eps > 30 ? x : eps * Math.log1p(Math.exp(x / eps));
      if (x > 0) expect(lv[i]).toBeCloseTo(Math.log(V), 9);
    }
  });

  it("follows the smoothing recursion of MODEL.md section 3 at every scale of V", () => {
    // log B_t = logaddexp(log lambda + log B_{t-1}, log(1 - lambda) + log V_{t-L}) in logs, next
    // to the density's B in linear scale: on a plain fund, on one whose value a distribution
    // drives to e^-1e5 (V_{t-L} far below B: added in logs), and on one whose shocks lift log V by
    // about 550 (B rescaled as it grows past e^460 of its start)
    const cases: [ModelData, number][] = [
      [randomData(6, 60), 0],
      [randomData(4, 40, { bigDistribution: true }), 0],
      [randomData(7, 200), 150],
    ];
    for (const [data, shock] of cases) {
      const T = data.navGp.length;
      const dens = createDensity(data, DEFAULT_MODEL_OPTIONS, { distributionWeeks: "xi" });
      const q = new Float64Array(dens.dim);
      dens.unconstrainParams(TYPICAL, q);
      const r = createRng(8);
      for (let i = 0; i < T; i++) q[dens.xiOffset + i] = shock + 0.5 * normal(r);
      const lv = dens.logValuePath(q, new Float64Array(T));
      const logLam = Math.log(TYPICAL.lambda);
      const log1mLam = Math.log1p(-TYPICAL.lambda);
      const lag = DEFAULT_MODEL_OPTIONS.navLagWeeks;
      const ref = new Float64Array(T);
      for (let i = 0; i < T; i++) {
        if (i < Math.max(lag, 1)) ref[i] = lv[i];
        else {
          const a = logLam + ref[i - 1];
          const b = log1mLam + lv[i - lag];
          ref[i] = Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
        }
      }
      const out = dens.observedLogs(q, new Float64Array(T * 3));
      const navWeeks = [...data.navGp.keys()].filter((i) => !Number.isNaN(data.navGp[i]));
      expect(navWeeks.length).toBeGreaterThan(5);
      navWeeks.forEach((i, j) => {
        expect(Number.isFinite(out[j])).toBe(true);
        expect(Math.abs(out[j] - ref[i])).toBeLessThan(1e-12 * Math.max(1, Math.abs(ref[i])));
      });
      if (shock > 0) expect(Math.max(...navWeeks.map((i) => ref[i]))).toBeGreaterThan(480);
    }
  });

  it("has a cost linear in the number of weeks (no T^2 step)", () => {
    // the number of floating-point operations is not observable; check instead that the
    // gradient of a long window matches finite differences at a few coordinates
    const data = randomData(6, 520);
    const dens = createDensity(data, DEFAULT_MODEL_OPTIONS);
    // all shocks 0, in the density's coordinates
    const q = dens.coordinatesFromShocks(new Float64Array(dens.dim));
    const g = new Float64Array(dens.dim);
    const g2 = new Float64Array(dens.dim);
    dens.logDensityGradient(q, g);
    for (const k of [0, 2, 5, dens.xiOffset + 3, dens.xiOffset + 400]) {
      const h = 1e-5;
      const qk = q[k];
      q[k] = qk + h;
      const fp = dens.logDensityGradient(q, g2);
      q[k] = qk - h;
      const fm = dens.logDensityGradient(q, g2);
      q[k] = qk;
      expect(Math.abs((fp - fm) / (2 * h) - g[k]) / Math.max(1, Math.abs(g[k]))).toBeLessThan(1e-6);
    }
  });

  it.each(["log_value", "threshold"] as const)(
    "in net distribution weeks (%s), adds exactly log |d xi / d kappa| to the xi-form density",
    (mode) => {
      // the map kappa -> xi is triangular (xi_t depends on kappa_j, j <= t), so the log-Jacobian is
      // the sum of log d xi_t / d kappa_t, taken here by finite differences
      for (const opts of [{}, { bigDistribution: true }]) {
        const data = randomData(7, 50, opts);
        const kap = createDensity(data, DEFAULT_MODEL_OPTIONS, { distributionWeeks: mode });
        const xiForm = createDensity(data, DEFAULT_MODEL_OPTIONS, { distributionWeeks: "xi" });
        expect(kap.kappaWeek.some((k) => k !== 0)).toBe(true);
        const r = createRng(7);
        const q = new Float64Array(kap.dim);
        kap.unconstrainParams(TYPICAL, q);
        for (let k = kap.xiOffset; k < kap.dim; k++) q[k] = 0.5 * normal(r);
        if (mode === "threshold") kap.coordinatesFromShocks(q);
        const xiOf = (qq: Float64Array) => {
          const p = kap.constrainedParams(qq);
          const e = kap.shockPath(qq, new Float64Array(50));
          return Float64Array.from(e, (ei, i) => {
            if (Number.isNaN(data.comparable[i])) return ei;
            const z =
              (data.comparable[i] - data.alphaC - data.betaCM * data.market[i]) /
              Math.sqrt(data.h[i]);
            return (ei - p.rho * z) / Math.sqrt(1 - p.rho * p.rho);
          });
        };
        const x = Float64Array.from(q);
        x.set(xiOf(q), kap.xiOffset);
        // same value path from both coordinates
        const lvK = kap.logValuePath(q, new Float64Array(50));
        const lvX = xiForm.logValuePath(x, new Float64Array(50));
        for (let i = 0; i < 50; i++) expect(lvK[i]).toBeCloseTo(lvX[i], 6);
        let logJ = 0;
        for (let i = 0; i < 50; i++) {
          if (!kap.kappaWeek[i]) continue;
          // a week at the floor has d xi / d kappa near 1e-5: a step of 1e-4 keeps the difference
          // of the two xi well above their rounding error
          const h = 1e-4;
          const k = kap.xiOffset + i;
          const q0 = q[k];
          q[k] = q0 + h;
          const up = xiOf(q)[i];
          q[k] = q0 - h;
          const dn = xiOf(q)[i];
          q[k] = q0;
          logJ += Math.log(Math.abs((up - dn) / (2 * h)));
        }
        const g = new Float64Array(kap.dim);
        const diff = kap.logDensityGradient(q, g) - xiForm.logDensityGradient(x, g);
        expect(Math.abs(diff - logJ)).toBeLessThan(1e-4);
        // and coordinatesFromShocks inverts the map (at the floor, going through xi loses digits:
        // V = U - N with U near N, the cancellation the kappa coordinates avoid)
        const back = kap.coordinatesFromShocks(Float64Array.from(x));
        const digits = "bigDistribution" in opts ? 4 : 6;
        for (let k = 0; k < kap.dim; k++) expect(back[k]).toBeCloseTo(q[k], digits);
      }
    },
  );
});
