import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { parseReturnSeries } from "./parse-series.js";

const csv = (text: string) => new TextEncoder().encode(text);

describe("parseReturnSeries", () => {
  it("reads daily and weekly series side by side, decimals and percentages", async () => {
    const r = await parseReturnSeries(
      csv(
        [
          "Date,MSCI World,Listed PE",
          "2024-01-01,0.01,1%",
          "2024-01-02,-0.005,",
          "2024-01-03,0.002,",
          "2024-01-08,,-2.5%",
          "2024-01-15,,0.5%",
        ].join("\n"),
      ),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.format).toBe("csv");
    expect(r.series).toEqual([
      {
        name: "MSCI World",
        frequency: "daily",
        dates: ["2024-01-01", "2024-01-02", "2024-01-03"],
        returns: [0.01, -0.005, 0.002],
      },
      {
        name: "Listed PE",
        frequency: "weekly",
        dates: ["2024-01-01", "2024-01-08", "2024-01-15"],
        returns: [0.01, -0.025, 0.005],
      },
    ]);
  });

  it("reads an .xlsx with date cells", async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet("Returns").addRows([
      ["Date", "Index"],
      [new Date(Date.UTC(2024, 0, 5)), 0.01],
      [new Date(Date.UTC(2024, 0, 12)), 0.02],
    ]);
    const r = await parseReturnSeries(new Uint8Array(await wb.xlsx.writeBuffer()));
    expect(r.ok && r.series[0]).toMatchObject({ name: "Index", frequency: "weekly" });
  });

  it("reports every problem with sheet, row and column", async () => {
    const r = await parseReturnSeries(
      csv(
        [
          "Date,A,B,A",
          "2024-01-01,0.01,abc,0",
          "2024-01-01,-1.5,0.01,0",
          "not a date,0.01,0.02,0",
          "2024-03-01,0.01,0.02,0",
        ].join("\n"),
      ),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const where = r.problems.map((p) => `${p.row ?? 0}:${p.column ?? ""}`);
    expect(where).toEqual(
      expect.arrayContaining([
        "1:D (A)", // the same series twice
        "2:C (B)", // text in a number cell
        "3:B (A)", // -150%
        "4:A (Date)",
      ]),
    );
    expect(r.problems.find((p) => p.column === "D (A)")?.message).toMatch(/also in column B/);
  });

  it("refuses a series that is neither daily nor weekly", async () => {
    const r = await parseReturnSeries(
      csv("Date,Q\n2024-01-31,0.01\n2024-04-30,0.02\n2024-07-31,0\n"),
    );
    expect(!r.ok && r.problems[0]?.message).toMatch(/92 days apart; upload daily or weekly/);
  });
});
