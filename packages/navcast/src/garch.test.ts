import { describe, expect, it } from "vitest";
import { fitGarch, type GarchMethod } from "./garch.js";
import { fitOls } from "./ols.js";
import { createRng, normal, type RngState } from "./rng.js";
import { simulateFund } from "./simulate.js";
import { generateSkeleton } from "./skeleton.js";

/** Simulates u_t from a variance equation; x_t is the exogenous squared market return. */
function simulate(
  kind: "garch" | "garch_x" | "egarch",
  p: Record<string, number>,
  m: Float64Array,
  r: RngState,
): Float64Array {
  const n = m.length;
  const u = new Float64Array(n);
  let h = kind === "egarch" ? Math.exp(p.omega / (1 - p.b)) : p.omega / (1 - p.a - p.b);
  for (let t = 0; t < n; t++) {
    if (t > 0) {
      if (kind === "egarch") {
        const z = u[t - 1] / Math.sqrt(h);
        h = Math.exp(
          p.omega + p.a * (Math.abs(z) - Math.sqrt(2 / Math.PI)) + p.gamma * z + p.b * Math.log(h),
        );
      } else {
        h =
          p.omega + p.a * u[t - 1] ** 2 + p.b * h + (kind === "garch_x" ? p.g * m[t - 1] ** 2 : 0);
      }
    }
    u[t] = Math.sqrt(h) * normal(r);
  }
  return u;
}

function market(n: number, r: RngState, sd = 0.02): Float64Array {
  return Float64Array.from({ length: n }, () => sd * normal(r));
}

const TRUE: Record<string, Record<string, number>> = {
  garch: { omega: 2e-5, a: 0.1, b: 0.85 },
  garch_x: { omega: 1e-5, a: 0.08, b: 0.8, g: 0.1 },
  egarch: { omega: -0.6, a: 0.2, gamma: -0.08, b: 0.92 },
};

describe("fitGarch", () => {
  it.each([
    ["garch", "garch"],
    ["garch_x", "garch_x"],
    ["egarch", "egarch"],
    ["garch_corr", "garch"],
  ] as [GarchMethod, "garch" | "garch_x" | "egarch"][])(
    "%s recovers the parameters of data simulated from it within 4 standard errors",
    (method, kind) => {
      const r = createRng(100, method.length);
      const n = 3000;
      const m = market(n, r);
      const u = simulate(kind, TRUE[kind], m, r);
      const res = fitGarch({ method, residuals: u, market: m, context: { fund: "test" } });
      if (!res.ok) throw res.error;
      expect(res.value.converged).toBe(true);
      for (const [k, v] of Object.entries(TRUE[kind])) {
        const se = res.value.standardErrors[k];
        expect(se).toBeGreaterThan(0);
        expect(Math.abs(res.value.params[k] - v)).toBeLessThan(4 * se);
      }
      expect(res.value.h).toHaveLength(n);
    },
  );

  it.each([
    ["daily_garch_agg", "garch"],
    ["daily_garch_x_agg", "garch_x"],
  ] as [GarchMethod, "garch" | "garch_x"][])(
    "%s recovers daily parameters and sums h to weeks",
    (method, kind) => {
      const r = createRng(200, method.length);
      const nDays = 3000;
      const m = market(nDays, r, 0.01);
      const p = kind === "garch" ? TRUE.garch : { omega: 4e-6, a: 0.08, b: 0.8, g: 0.2 };
      const u = simulate(kind, p, m, r);
      const week = Int32Array.from({ length: nDays }, (_, i) => Math.floor(i / 5));
      const weeks = nDays / 5;
      const res = fitGarch({
        method,
        residuals: new Float64Array(weeks),
        market: new Float64Array(weeks),
        daily: { week, u, m },
        context: { fund: "test" },
      });
      if (!res.ok) throw res.error;
      for (const [k, v] of Object.entries(p)) {
        expect(Math.abs(res.value.params[k] - v)).toBeLessThan(4 * res.value.standardErrors[k]);
      }
      expect(res.value.h).toHaveLength(weeks);
      expect(res.value.h[10]).toBeGreaterThan(0);
    },
  );

  it("fails a daily method clearly when there is no daily data", () => {
    const res = fitGarch({
      method: "daily_garch_agg",
      residuals: new Float64Array(100),
      market: new Float64Array(100),
      context: { fund: "Fund A", window: "2020-03-27" },
    });
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.code).toBe("garch_needs_daily");
      expect(res.error.context).toMatchObject({ fund: "Fund A", window: "2020-03-27" });
    }
  });

  it("rejects a non-stationary fit unless garch_allow_igarch is set", () => {
    // an explosive variance path: a + b > 1
    const r = createRng(5);
    const n = 1500;
    const m = market(n, r);
    const u = new Float64Array(n);
    let h = 1e-4;
    for (let t = 0; t < n; t++) {
      if (t > 0) h = 1e-7 + 0.25 * u[t - 1] ** 2 + 0.8 * h;
      u[t] = Math.sqrt(h) * normal(r);
    }
    const a = fitGarch({ method: "garch", residuals: u, market: m, context: { fund: "F" } });
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.error.code).toBe("garch_nonstationary");
    const b = fitGarch({
      method: "garch",
      residuals: u,
      market: m,
      allowIgarch: true,
      context: {},
    });
    expect(b.ok).toBe(true);
    if (b.ok) expect(b.value.persistence).toBeGreaterThanOrEqual(1);
  });

  it("reports too few residuals as an error naming the method", () => {
    const res = fitGarch({
      method: "egarch",
      residuals: new Float64Array(10),
      market: new Float64Array(10),
      context: { fund: "F" },
    });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.message).toMatch(/egarch/);
  });
});

describe("fitGarch multi-start", () => {
  it("keeps the best converged start when another start runs off without converging", () => {
    // on this simulated two-year fund the EGARCH start (0.03, 0.95) drifts to a degenerate,
    // non-converged point with a lower objective than the converged optimum of the other starts
    const P = {
      alpha: 0.0005,
      beta: 1,
      F: 1,
      rho: 0.5,
      lambda: 0.5,
      sigma_n: 0.05,
      log_delta: Math.log(0.05),
      sigma_d: 0.5,
      sigma_s: 0.1,
    };
    const f = simulateFund(generateSkeleton({ seed: 5, years: 2, secondaryCount: 3 }), P, {
      seed: 6,
    });
    const ols = fitOls(f.comparable, f.market);
    if (!ols) throw new Error("no OLS");
    const res = fitGarch({
      method: "egarch",
      residuals: ols.residuals,
      market: f.market,
      allowIgarch: true,
      context: {},
    });
    if (!res.ok) throw res.error;
    expect(res.value.converged).toBe(true);
    expect(Math.abs(res.value.params.b)).toBeLessThan(1);
  });
});
