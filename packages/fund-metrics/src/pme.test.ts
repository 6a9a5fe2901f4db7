import { describe, expect, it } from "vitest";
import { dayNumber } from "./cash-flows.js";
import { directAlpha, ksPme, longNickels } from "./pme.js";

describe("ksPme", () => {
  it("matches the published example (pyxirr tests)", () => {
    const flows = [
      { amount: -25, index: 100 },
      { amount: 15, index: 115 },
      { amount: 0, index: 130 },
    ];
    expect(ksPme(flows, 20, 130)).toBeCloseTo(1.137, 3);
  });

  it("equals TVPI against a flat index", () => {
    const flows = [
      { amount: -100, index: 50 },
      { amount: 30, index: 50 },
    ];
    expect(ksPme(flows, 90, 50)).toBeCloseTo((30 + 90) / 100, 12);
  });

  it("refuses a zero index level", () => {
    expect(() => ksPme([{ amount: -1, index: 0 }], 1, 1)).toThrow(/positive number/);
  });
});

describe("longNickels", () => {
  it("matches the published example", () => {
    const { pmeNav, irr } = longNickels([-100, -50, 60, 10, 0], [100, 105, 115, 117, 120]);
    expect(pmeNav).toBeCloseTo(104.28, 2);
    expect(irr.ok && irr.rate).toBeCloseTo(0.053, 3);
  });
});

describe("directAlpha", () => {
  const t = (d: string) => (dayNumber(d) - dayNumber("2015-01-01")) / 365;

  it("recovers a known excess return over a growing index", () => {
    // The index grows 8% a year; the fund earns the index plus 5% a year, continuously compounded.
    const index = (d: string) => 100 * 1.08 ** t(d);
    const flows = [
      { date: "2015-01-01", amount: -100, index: index("2015-01-01") },
      { date: "2016-06-30", amount: -50, index: index("2016-06-30") },
      { date: "2019-03-31", amount: 40, index: index("2019-03-31") },
    ];
    // NAV at the end: every flow grown at index x e^{0.05 t}
    const end = "2022-12-31";
    const grow = (d: string) => (index(end) / index(d)) * Math.exp(0.05 * (t(end) - t(d)));
    const navAmount = -flows.reduce((s, f) => s + f.amount * grow(f.date), 0);
    const da = directAlpha(flows, { date: end, amount: navAmount, index: index(end) });
    expect(da.ok).toBe(true);
    if (da.ok) expect(da.alpha).toBeCloseTo(0.05, 10);
  });

  it("is ln(1 + IRR) against a flat index", () => {
    const flows = [{ date: "2015-01-01", amount: -100, index: 7 }];
    const da = directAlpha(flows, { date: "2016-01-01", amount: 110, index: 7 });
    expect(da.ok && da.perPeriod).toBeCloseTo(0.1, 12);
    expect(da.ok && da.alpha).toBeCloseTo(Math.log(1.1), 12);
  });
});
