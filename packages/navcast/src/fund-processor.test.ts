import { describe, expect, it } from "vitest";
import { FundProcessorError } from "./errors.js";
import { processWindow, trimToFirstContribution } from "./fund-processor.js";
import type { FundSeries } from "./fund-series.js";
import { simulateFund } from "./simulate.js";
import { generateSkeleton } from "./skeleton.js";

const P = {
  alpha: 0.0005,
  beta: 1,
  F: 1,
  rho: 0.6,
  lambda: 0.5,
  sigma_n: 0.05,
  log_delta: Math.log(0.08),
  sigma_d: 0.4,
  sigma_s: 0.1,
};

function fund(): FundSeries {
  return simulateFund(generateSkeleton({ seed: 21, years: 6 }), P, { seed: 22 });
}

describe("processWindow", () => {
  it("estimates alpha_c and beta_cM within 4 standard errors and a positive h for every week", () => {
    const f = fund();
    const { data, report } = processWindow(f, 312, { garchMethod: "garch", allowIgarch: false });
    const t = f.truth?.params ?? {};
    expect(Math.abs(data.betaCM - t.beta_cM)).toBeLessThan(4 * data.betaCMSe);
    expect(Math.abs(data.alphaC - t.alpha_c)).toBeLessThan(4 * data.alphaCSe);
    expect(data.h).toHaveLength(312);
    expect(data.h.every((v) => v > 0)).toBe(true);
    expect(report.garch?.converged).toBe(true);
    expect(report.delta?.defaulted).toBe(false);
    expect(data.deltaHat).toBeGreaterThan(0);
  });

  it("uses external values as given and skips the steps that would compute them", () => {
    const f = fund();
    const h = new Float64Array(f.weeks.length).fill(3e-4);
    const g: FundSeries = {
      ...f,
      external: { h, alphaC: 0.001, betaCM: 0.9, deltaHat: 0.07, sigmaDHat: 0.8 },
    };
    const { data, report } = processWindow(g, 100, {
      garchMethod: "daily_garch_agg", // would fail without daily data: proves GARCH is skipped
      allowIgarch: false,
    });
    expect(report.garch).toBeNull();
    expect(report.ols).toBeNull();
    expect(data.alphaC).toBe(0.001);
    expect(data.betaCM).toBe(0.9);
    expect(data.deltaHat).toBe(0.07);
    expect(data.sigmaDHat).toBe(0.8);
    expect([...data.h]).toEqual([...h.subarray(0, 100)]);
    expect(report.external).toEqual(["h", "delta_hat", "sigma_d_hat", "alpha_c", "beta_cM"]);
  });

  it("fails a daily method without daily data, naming the fund and window", () => {
    const f = fund();
    try {
      processWindow(f, 200, { garchMethod: "daily_garch_x_agg", allowIgarch: false });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FundProcessorError);
      const fe = e as FundProcessorError;
      expect(fe.code).toBe("garch_needs_daily");
      expect(fe.context).toMatchObject({ fund: f.name, window: f.weeks[199] });
    }
  });
});

describe("trimToFirstContribution", () => {
  it("drops the weeks before t0", () => {
    const f = fund();
    const C = new Float64Array(f.weeks.length + 2);
    C.set(f.contributions, 2);
    const pad = (a: Float64Array, v = 0) => {
      const o = new Float64Array(a.length + 2).fill(v);
      o.set(a, 2);
      return o;
    };
    const g: FundSeries = {
      ...f,
      weeks: ["2014-12-26", "2015-01-02", ...f.weeks],
      contributions: C,
      distributions: pad(f.distributions),
      navGp: pad(f.navGp, Number.NaN),
      secondary: pad(f.secondary, Number.NaN),
      market: pad(f.market),
      comparable: pad(f.comparable, Number.NaN),
    };
    const t = trimToFirstContribution(g);
    expect(t.offset).toBe(2);
    expect(t.fund.weeks[0]).toBe(f.weeks[0]);
    expect([...t.fund.contributions]).toEqual([...f.contributions]);
  });
});
