import { describe, expect, it } from "vitest";
import { marketIndex, performance } from "./performance.js";
import type { WeeklyTable } from "./weekly.js";

function table(rows: [string, number, number, number | null][]): WeeklyTable {
  return {
    week: rows.map((r) => r[0]),
    contribution: rows.map((r) => r[1]),
    distribution: rows.map((r) => r[2]),
    nav: rows.map((r) => r[3]),
    secondaryPrice: rows.map(() => null),
  };
}

describe("performance", () => {
  it("matches Excel's XIRR example and the multiples of its flows (validation/metrics.md)", () => {
    const p = performance(
      table([
        ["2008-01-01", 10000, 0, null],
        ["2008-03-01", 0, 2750, null],
        ["2008-10-30", 0, 4250, null],
        ["2009-02-15", 0, 3250, null],
        ["2009-04-01", 0, 0, 2750],
      ]),
    );
    expect(p.irr.ok && p.irr.rate).toBeCloseTo(0.3733625, 7);
    expect(p).toMatchObject({ valuationDate: "2009-04-01", nav: 2750, paidIn: 10000 });
    expect(p.tvpi).toBeCloseTo(1.3, 12);
    expect(p.dpi).toBeCloseTo(1.025, 12);
    expect(p.rvpi).toBeCloseTo(0.275, 12);
    expect(p.pmeUnavailable).toMatch(/no market series/);
  });

  it("matches the published KS-PME example: flows [-25, 15, 0], index [100, 115, 130], NAV 20", () => {
    const t = table([
      ["2020-01-03", 25, 0, null],
      ["2020-01-10", 0, 15, null],
      ["2020-01-17", 0, 0, 20],
    ]);
    const p = performance(t, { ok: true, levels: [100, 115, 130] });
    expect(p.ksPme).toBeCloseTo(1.137, 3);
    // Direct Alpha: the IRR b of the index-compounded flows, reported as ln(1 + b) per year.
    const compounded = [-25 * 1.3, 15 * (130 / 115), 20];
    expect(p.directAlpha?.ok).toBe(true);
    const b = Math.expm1(p.directAlpha?.ok ? p.directAlpha.rate : Number.NaN);
    const npv = compounded.reduce((s, a, i) => s + a / (1 + b) ** ((i * 7) / 365), 0);
    expect(Math.abs(npv)).toBeLessThan(1e-9);
  });

  it("values at the latest NAV and leaves out the flows after it", () => {
    const p = performance(
      table([
        ["2020-01-03", 100, 0, null],
        ["2020-01-10", 0, 0, 110],
        ["2020-01-17", 50, 0, null],
      ]),
    );
    expect(p).toMatchObject({ valuationDate: "2020-01-10", paidIn: 100, flowsAfterValuation: 1 });
  });

  it("says why PME is missing when the market index cannot be built", () => {
    const p = performance(
      table([
        ["2020-01-03", 100, 0, 100],
        ["2020-01-10", 0, 0, 100],
      ]),
      {
        ok: false,
        reason: "market series X covers 2021",
      },
    );
    expect(p.ksPme).toBeUndefined();
    expect(p.pmeUnavailable).toBe("market series X covers 2021");
  });
});

describe("marketIndex", () => {
  const weeks = ["2024-01-05", "2024-01-12", "2024-01-19", "2024-01-26"];
  const weekly = (name: string, r: number) => ({
    name,
    frequency: "weekly" as const,
    dates: ["2023-12-29", ...weeks],
    returns: [0, r, r, r, r],
  });

  it("chains the returns of each regime's series week by week", () => {
    const series = new Map([
      ["A", weekly("A", 0.01)],
      ["B", weekly("B", 0.1)],
    ]);
    const r = marketIndex(
      weeks,
      {
        regimes: [
          { from: null, market: "A", comparable: null },
          { from: "2024-01-19", market: "B", comparable: null },
        ],
      },
      series,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    // week 2 under A (+1%), weeks 3 and 4 under B (+10% each): no jump between the two levels.
    const expected = [1, 1.01, 1.01 * 1.1, 1.01 * 1.1 * 1.1];
    for (const [i, l] of r.levels.entries()) expect(l).toBeCloseTo(expected[i] as number, 12);
  });

  it("compounds daily returns into the week", () => {
    const days = ["2024-01-04", "2024-01-05", "2024-01-08", "2024-01-09", "2024-01-12"];
    const r = marketIndex(
      ["2024-01-05", "2024-01-12"],
      { regimes: [{ from: null, market: "D", comparable: null }] },
      new Map([
        [
          "D",
          { name: "D", frequency: "daily", dates: days, returns: [0.5, 0.5, 0.01, 0.02, 0.03] },
        ],
      ]),
    );
    expect(r.ok && r.levels[1]).toBeCloseTo(1.01 * 1.02 * 1.03, 12);
  });

  it("refuses a series that starts after the fund or ends before it", () => {
    const late = {
      ...weekly("A", 0.01),
      dates: ["2024-01-12", "2024-01-19", "2024-01-26"],
      returns: [0, 0, 0],
    };
    const r = marketIndex(
      weeks,
      { regimes: [{ from: null, market: "A", comparable: null }] },
      new Map([["A", late]]),
    );
    expect(!r.ok && r.reason).toMatch(
      /covers 2024-01-12 to 2024-01-26; the fund needs 2024-01-05 to 2024-01-12/,
    );
    const gap = marketIndex(
      weeks,
      { regimes: [{ from: "2024-01-19", market: "A", comparable: null }] },
      new Map(),
    );
    expect(!gap.ok && gap.reason).toMatch(/no market regime covers the week of 2024-01-12/);
  });
});
