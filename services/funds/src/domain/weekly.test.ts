import { describe, expect, it } from "vitest";
import { toWeekly, weekEnd } from "./weekly.js";

const row = (date: string, o: { c?: number; d?: number; nav?: number }) => ({
  date,
  contribution: o.c ?? 0,
  distribution: o.d ?? 0,
  nav: o.nav ?? null,
  secondaryPrice: null,
  row: 2,
});

describe("weekEnd", () => {
  it("maps every day to the Friday ending its week", () => {
    expect(weekEnd("2024-03-25")).toBe("2024-03-29"); // Monday
    expect(weekEnd("2024-03-29")).toBe("2024-03-29"); // Friday
    expect(weekEnd("2024-03-30")).toBe("2024-04-05"); // Saturday starts the next week
    expect(weekEnd("2024-12-31")).toBe("2025-01-03"); // across a year end
  });
});

describe("toWeekly", () => {
  it("sums flows in a week, keeps the week's last NAV, and fills empty weeks", () => {
    const t = toWeekly([
      row("2024-01-02", { c: 100 }),
      row("2024-01-04", { c: 50, nav: 140 }),
      row("2024-01-05", { nav: 150 }),
      row("2024-01-24", { d: 10 }),
    ]);
    expect(t.week).toEqual(["2024-01-05", "2024-01-12", "2024-01-19", "2024-01-26"]);
    expect(t.contribution).toEqual([150, 0, 0, 0]);
    expect(t.distribution).toEqual([0, 0, 0, 10]);
    expect(t.nav).toEqual([150, null, null, null]);
  });
});
