import { describe, expect, it } from "vitest";
import { readAmount, readDate } from "./cells.js";

const date = (v: unknown) => {
  const r = readDate(v);
  return r.ok ? r.value : `error: ${r.message}`;
};
const amount = (v: unknown) => {
  const r = readAmount(v);
  return r.ok ? r.value : `error: ${r.message}`;
};

describe("readDate", () => {
  it("reads date cells, Excel serials and ISO text", () => {
    expect(date(new Date(Date.UTC(2024, 2, 31)))).toBe("2024-03-31");
    expect(date(45382)).toBe("2024-03-31"); // Excel's DATE(2024,3,31)
    expect(date(45382.75)).toBe("2024-03-31"); // a time of day is dropped
    expect(date("2024-03-31")).toBe("2024-03-31");
    expect(date("2024-3-5")).toBe("2024-03-05");
  });

  it("reads month names and unambiguous day/month orders", () => {
    expect(date("31 Mar 2024")).toBe("2024-03-31");
    expect(date("March 31, 2024")).toBe("2024-03-31");
    expect(date("31/03/2024")).toBe("2024-03-31");
    expect(date("03/31/2024")).toBe("2024-03-31");
  });

  it("refuses ambiguous and impossible dates with a reason", () => {
    expect(date("03/04/2024")).toMatch(/could be day\/month or month\/day/);
    expect(date("2024-02-30")).toMatch(/not a calendar date/);
    expect(date("soon")).toMatch(/not a date/);
    expect(date(null)).toMatch(/missing/);
  });
});

describe("readAmount", () => {
  it("reads numbers and the ways people type them", () => {
    expect(amount(1250000.5)).toBe(1250000.5);
    expect(amount("1,250,000.50")).toBe(1250000.5);
    expect(amount("$ 1,000")).toBe(1000);
    expect(amount("1 000")).toBe(1000);
    expect(amount("(2,500)")).toBe(-2500);
    expect(amount("-7")).toBe(-7);
    expect(amount("")).toBeNull();
    expect(amount(null)).toBeNull();
  });

  it("reports text in a number cell instead of reading it as zero", () => {
    expect(amount("n/a")).toMatch(/text "n\/a" in a number cell/);
    expect(amount("1,25,0")).toMatch(/in a number cell/);
    expect(amount(new Date())).toMatch(/date in a number cell/);
  });
});
