import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { DatedFlow } from "./cash-flows.js";
import { dayNumber, multiples, netByDate, periodicIrr, xirr } from "./cash-flows.js";

const rateOf = (s: ReturnType<typeof xirr>) => {
  if (!s.ok) throw new Error(s.reason);
  return s.rate;
};

describe("xirr", () => {
  const excel: DatedFlow[] = [
    { date: "2008-01-01", amount: -10000 },
    { date: "2008-03-01", amount: 2750 },
    { date: "2008-10-30", amount: 4250 },
    { date: "2009-02-15", amount: 3250 },
    { date: "2009-04-01", amount: 2750 },
  ];

  it("matches Excel's documentation example to 1e-7", () => {
    expect(Math.abs(rateOf(xirr(excel)) - 0.3733625)).toBeLessThan(1e-7);
  });

  it("does not depend on the order of the flows", () => {
    expect(rateOf(xirr([...excel].reverse()))).toBeCloseTo(rateOf(xirr(excel)), 12);
  });

  it("says there is no rate when every flow has one sign", () => {
    const r = xirr([
      { date: "2020-01-01", amount: -100 },
      { date: "2021-01-01", amount: -50 },
    ]);
    expect(r.ok).toBe(false);
  });

  it("converges for a rate near -100%", () => {
    const r = rateOf(
      xirr([
        { date: "2020-01-01", amount: -1000 },
        { date: "2021-01-01", amount: 1 },
      ]),
    );
    expect(r).toBeCloseTo(0.001 ** (365 / 366) - 1, 9); // 366 days in 2020: (1+r)^(366/365) = 0.001
  });

  it("solves a long, unordered list of weekly flows", () => {
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const flows: DatedFlow[] = [];
    const start = dayNumber("2015-01-02");
    for (let w = 0; w < 520; w++) {
      const date = new Date((start + 7 * w) * 86_400_000).toISOString().slice(0, 10);
      flows.push({ date, amount: w < 200 ? -1000 * rand() : 1500 * rand() });
    }
    flows.sort(() => rand() - 0.5);
    const r = rateOf(xirr(flows));
    const npv = flows.reduce(
      (s, f) => s + f.amount / (1 + r) ** ((dayNumber(f.date) - start) / 365),
      0,
    );
    expect(Math.abs(npv)).toBeLessThan(1e-6);
  });

  it("refuses a date that does not exist", () => {
    expect(() => xirr([{ date: "2021-02-30", amount: -1 }])).toThrow(/not a calendar date/);
  });
});

describe("periodicIrr", () => {
  it("solves the textbook example", () => {
    // -100 now, 110 in one period: 10%
    const r = periodicIrr([-100, 110]);
    expect(r.ok && r.rate).toBeCloseTo(0.1, 12);
  });
});

/** karlpolen/pme-calcs pedata.csv: fund, m/d/Y date, value, type (C cash flow, V final value). */
function pedata(): Map<string, { flows: DatedFlow[]; nav: DatedFlow }> {
  const url = new URL("../../../../shared/validation/pedata.csv", import.meta.url);
  const funds = new Map<string, { flows: DatedFlow[]; nav: DatedFlow }>();
  for (const line of readFileSync(url, "utf8").trim().split("\n").slice(1)) {
    const [fund = "", mdy = "", value = "", type = ""] = line.split(",");
    const [m, d, y] = mdy.split("/");
    const date = `${y}-${m?.padStart(2, "0")}-${d?.padStart(2, "0")}`;
    const entry = funds.get(fund) ?? { flows: [], nav: { date, amount: 0 } };
    if (type === "V") entry.nav = { date, amount: Number(value) };
    else entry.flows.push({ date, amount: Number(value) });
    funds.set(fund, entry);
  }
  return funds;
}

describe("multiples and IRR on the published pedata.csv", () => {
  const published: Record<string, [number, number, number]> = {
    "Fund 1": [0.03853564, 1.11298687, 0.18728575],
    "Fund 2": [0.6255379, 2.4007763, 0.779392],
    "Fund 3": [0.2677777, 1.8013865, 0.9580667],
    "Fund 4": [0.07103926, 1.26647047, 0.35292838],
  };
  const funds = pedata();

  it.each(Object.entries(published))("%s", (name, [irr, tvpi, dpi]) => {
    const f = funds.get(name);
    if (!f) throw new Error(`${name} missing from pedata.csv`);
    const m = multiples(f.flows, f.nav.amount);
    expect(m.tvpi).toBeCloseTo(tvpi, 7);
    expect(m.dpi).toBeCloseTo(dpi, 7);
    expect(m.rvpi).toBeCloseTo(tvpi - dpi, 7);
    // The published IRRs come from a solver with a tolerance of about 1e-5.
    expect(Math.abs(rateOf(xirr([...f.flows, f.nav])) - irr)).toBeLessThan(5e-5);
  });

  it("total: the portfolio's own flows, netted by date across funds", () => {
    const all = [...funds.values()];
    const flows = netByDate(all.flatMap((f) => f.flows));
    const navs = all.map((f) => f.nav);
    const m = multiples(
      flows,
      navs.reduce((s, n) => s + n.amount, 0),
    );
    expect(m.tvpi).toBeCloseTo(1.56720993, 7);
    expect(m.dpi).toBeCloseTo(0.55321922, 7);
    expect(Math.abs(rateOf(xirr([...flows, ...navs])) - 0.17547727)).toBeLessThan(5e-5);
  });
});

describe("netByDate", () => {
  it("sums flows of the same date and drops those that cancel", () => {
    const net = netByDate([
      { date: "2020-01-02", amount: -10 },
      { date: "2020-01-01", amount: -5 },
      { date: "2020-01-02", amount: 4 },
      { date: "2020-02-01", amount: 3 },
      { date: "2020-02-01", amount: -3 },
    ]);
    expect(net).toEqual([
      { date: "2020-01-01", amount: -5 },
      { date: "2020-01-02", amount: -6 },
    ]);
  });
});
