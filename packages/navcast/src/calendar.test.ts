import { describe, expect, it } from "vitest";
import { isoToDay, isQuarterEndWeek, weekEndOf, weekEnds } from "./calendar.js";

describe("weekEnds", () => {
  it("starts on the Friday of the first week and steps by seven days", () => {
    expect(weekEnds("2015-01-05", 3)).toEqual(["2015-01-09", "2015-01-16", "2015-01-23"]);
    expect(weekEnds("2015-01-09", 1)).toEqual(["2015-01-09"]);
  });
  it("rejects an impossible date", () => {
    expect(() => isoToDay("2015-02-30")).toThrow(/calendar/);
  });
  it("maps a Friday to itself", () => {
    const d = isoToDay("2024-12-27");
    expect(weekEndOf(d)).toBe(d);
  });
});

describe("isQuarterEndWeek", () => {
  it("marks the week that contains a quarter end", () => {
    expect(isQuarterEndWeek("2015-04-03")).toBe(true); // contains 2015-03-31
    expect(isQuarterEndWeek("2015-03-27")).toBe(false);
    expect(isQuarterEndWeek("2024-12-27")).toBe(false);
    expect(isQuarterEndWeek("2025-01-03")).toBe(true);
  });
});
