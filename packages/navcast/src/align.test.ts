import { describe, expect, it } from "vitest";
import { alignToWeeks, firstContributionWeek, weekIndexOf } from "./align.js";

const weeks = ["2015-01-09", "2015-01-16", "2015-01-23"];

describe("alignToWeeks", () => {
  it("sums flows within a week and ignores dates off the grid", () => {
    const a = alignToWeeks(
      [
        { date: "2015-01-05", value: 1 },
        { date: "2015-01-09", value: 2 },
        { date: "2015-01-10", value: 4 },
        { date: "2016-01-10", value: 8 },
      ],
      weeks,
      "sum",
    );
    expect([...a]).toEqual([3, 4, 0]);
  });
  it("keeps the last NAV of a week and leaves other weeks missing", () => {
    const a = alignToWeeks(
      [
        { date: "2015-01-14", value: 2 },
        { date: "2015-01-12", value: 1 },
      ],
      weeks,
      "last",
    );
    expect(Number.isNaN(a[0])).toBe(true);
    expect(a[1]).toBe(2);
  });
});

describe("weekIndexOf", () => {
  it("maps days to their week and rejects a grid that is not on Fridays", () => {
    expect([...weekIndexOf(["2015-01-12", "2015-01-23", "2014-12-31"], weeks)]).toEqual([1, 2, -1]);
    expect(() => weekIndexOf([], ["2015-01-08"])).toThrow(/Friday/);
  });
});

describe("firstContributionWeek", () => {
  it("finds t0", () => {
    expect(firstContributionWeek(Float64Array.from([0, 0, 5]))).toBe(2);
    expect(firstContributionWeek(Float64Array.from([0]))).toBe(-1);
  });
});
