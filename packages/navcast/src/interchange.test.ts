import { describe, expect, it } from "vitest";
import { DataError } from "./errors.js";
import { dataHash, fundToJson, parseFund } from "./interchange.js";
import { simulateFund } from "./simulate.js";
import { generateSkeleton } from "./skeleton.js";

const P = {
  alpha: 0,
  beta: 1,
  F: 1,
  rho: 0.5,
  lambda: 0.5,
  sigma_n: 0.05,
  log_delta: -3,
  sigma_d: 0.5,
  sigma_s: 0.1,
};

describe("parseFund / fundToJson", () => {
  it("round-trips a simulated fund through section-10 JSON", () => {
    const f = simulateFund(generateSkeleton({ seed: 2, years: 1, secondaryCount: 1 }), P, {
      seed: 3,
    });
    const json = JSON.parse(JSON.stringify(fundToJson(f)));
    expect(json.nav_gp.filter((x: unknown) => x === null).length).toBeGreaterThan(40);
    const g = parseFund(json);
    expect(g.weeks).toEqual(f.weeks);
    expect([...g.navGp].map((x) => (Number.isNaN(x) ? null : x))).toEqual(json.nav_gp);
    expect(g.truth?.params.sigma_n).toBe(0.05);
    expect(dataHash(g)).toBe(dataHash(f));
  });

  it("reads external values and rejects unknown keys", () => {
    const base = {
      fund: "A",
      weeks: ["2015-01-09", "2015-01-16"],
      contributions: [1, null],
      distributions: [0, 0],
      market_log_return: [0.01, 0.0],
    };
    const f = parseFund({ ...base, external: { h: [1e-4, 2e-4], alpha_c: 0, beta_cM: 1 } });
    expect(f.external?.betaCM).toBe(1);
    expect(f.contributions[1]).toBe(0);
    expect(Number.isNaN(f.navGp[0])).toBe(true);
    expect(() => parseFund({ ...base, external: { h_t: [] } })).toThrow(/unknown external key/);
  });

  it("says which field and fund are wrong", () => {
    try {
      parseFund({
        fund: "B",
        weeks: ["2015-01-09"],
        contributions: [1],
        distributions: [0],
        market_log_return: [null],
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DataError);
      expect((e as DataError).message).toMatch(/fund B: market_log_return\[0\] is null/);
    }
  });
});
