import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { parseWorkbook } from "./parse-workbook.js";
import { workbookTemplate } from "./template.js";

const utc = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));
const HEADER = ["Fund", "Date", "Contribution", "Distribution", "GP NAV", "Secondary price"];

async function xlsx(data: unknown[][], market?: unknown[][]): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet("Data").addRows(data);
  if (market) wb.addWorksheet("Market").addRows(market);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}
const csv = (text: string) => new TextEncoder().encode(text);

describe("parseWorkbook", () => {
  it("reads the template it hands out", async () => {
    const r = await parseWorkbook(await workbookTemplate());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.format).toBe("xlsx");
    expect(r.funds.map((f) => f.name)).toEqual(["Example Buyout Fund I"]);
    expect(r.funds[0]?.rows.map((x) => [x.date, x.contribution, x.nav])).toEqual([
      ["2020-01-15", 2_500_000, null],
      ["2020-03-31", 0, 2_430_000],
      ["2020-06-30", 1_000_000, 3_610_000],
    ]);
    expect(r.market).toEqual([
      { fund: "Example Buyout Fund I", market: "MSCI World", comparable: "Listed PE" },
    ]);
  });

  it("reads dates in any Excel form, formulas, thousands separators, and skips blank rows", async () => {
    const r = await parseWorkbook(
      await xlsx([
        HEADER,
        ["Fund A", utc(2021, 1, 4), 1000, null, null],
        [],
        ["Fund A", 44286, null, "1,500", null], // 2021-03-31 as a serial
        ["Fund A", "2021-06-30", null, null, { formula: "900+100", result: 1000 }],
        ["  Fund B ", "31 Dec 2021", "250,000", null, null],
      ]),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const a = r.funds.find((f) => f.name === "Fund A");
    expect(a?.rows.map((x) => [x.date, x.contribution, x.distribution, x.nav])).toEqual([
      ["2021-01-04", 1000, 0, null],
      ["2021-03-31", 0, 1500, null],
      ["2021-06-30", 0, 0, 1000],
    ]);
    expect(r.funds.find((f) => f.name === "Fund B")?.rows[0]?.contribution).toBe(250_000);
  });

  it("reports every problem at once, with sheet, row and column", async () => {
    const r = await parseWorkbook(
      await xlsx([
        HEADER,
        ["Fund A", utc(2021, 1, 4), 1000, null, null],
        ["Fund A", utc(2021, 1, 4), null, null, 900], // duplicate date
        ["Fund A", utc(2021, 3, 31), -50, null, "abc"], // negative flow, text in a number cell
        ["Fund C", utc(2020, 12, 31), null, null, 500], // NAV before its first call
        ["Fund C", utc(2021, 2, 1), 100, null, null],
        [null, "03/04/2021", 5, null, null], // no fund name, ambiguous date
      ]),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const seen = r.problems.map(
      (p) => `${p.sheet}!${p.row ?? "-"}:${p.column ?? "-"} ${p.message}`,
    );
    expect(seen).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^Data!3:B \(Date\) Fund A: date 2021-01-04 appears twice \(rows 2 and 3\)/,
        ),
        expect.stringMatching(/^Data!4:C \(Contribution\) negative contribution -50/),
        expect.stringMatching(/^Data!4:E \(GP NAV\) text "abc" in a number cell/),
        expect.stringMatching(
          /^Data!5:E \(GP NAV\) Fund C: NAV dated 2020-12-31, before the first contribution on 2021-02-01/,
        ),
        expect.stringMatching(/^Data!7:A \(Fund\) fund name is missing/),
        expect.stringMatching(
          /^Data!7:B \(Date\) "03\/04\/2021" could be day\/month or month\/day/,
        ),
      ]),
    );
    expect(r.problems).toHaveLength(6);
  });

  it("names a missing column and an unknown series", async () => {
    const noNav = await parseWorkbook(
      await xlsx([
        ["Fund", "Date", "Contribution", "Distribution"],
        ["F", utc(2020, 1, 1), 1, null],
      ]),
    );
    expect(!noNav.ok && noNav.problems[0]?.message).toBe('missing column "GP NAV"');

    const r = await parseWorkbook(
      await xlsx(
        [HEADER, ["F", utc(2020, 1, 1), 1, null, null]],
        [
          ["Fund", "Market series", "Comparable series"],
          ["F", "MSCI World", "Nope Index"],
          ["G", "MSCI World", null],
        ],
      ),
      { knownSeries: new Set(["MSCI World"]) },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => `${p.sheet}!${p.row}:${p.column} ${p.message}`)).toEqual([
      'Market!2:C (Comparable series) unknown series "Nope Index": upload it as market data first',
      'Market!3:A (Fund) fund "G" is not in the data sheet',
    ]);
  });

  it("reads CSV text with its numbers and dates as typed", async () => {
    const r = await parseWorkbook(
      csv(
        '\ufeffFund,Date,Contribution,Distribution,GP NAV\n"Fund, L.P.",2022-01-03,"1,000,000",,\n"Fund, L.P.",2022-03-31,,,"990,000.25"\n',
      ),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.format).toBe("csv");
    expect(r.funds[0]?.name).toBe("Fund, L.P.");
    expect(r.funds[0]?.rows.map((x) => [x.date, x.contribution, x.nav])).toEqual([
      ["2022-01-03", 1_000_000, null],
      ["2022-03-31", 0, 990_000.25],
    ]);
  });

  it("tells a file's type by its content, not its name", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    const r = await parseWorkbook(png);
    expect(!r.ok && r.problems[0]?.message).toMatch(/not an .xlsx workbook or a CSV/);
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4]);
    const z = await parseWorkbook(zip);
    expect(!z.ok && z.problems[0]?.message).toMatch(/a ZIP file but not an Excel workbook/);
    const brokenXlsx = new TextEncoder().encode("PK\x03\x04 xl/workbook.xml but no zip");
    brokenXlsx.set([0x50, 0x4b, 0x03, 0x04]);
    const b = await parseWorkbook(brokenXlsx);
    expect(!b.ok && b.problems[0]?.message).toMatch(/cannot be read as xlsx/);
  });

  it("refuses a sheet with only its header (found by the property test)", async () => {
    const r = await parseWorkbook(csv("Fund,Date,Contribution,Distribution,GP NAV\n\n"));
    expect(!r.ok && r.problems).toEqual([
      { sheet: "csv", message: "no data rows: the sheet has only its header" },
    ]);
  });

  it("names what an unsupported file is: old .xls, PDF, empty", async () => {
    const xls = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
    const pdf = new Uint8Array([...new TextEncoder().encode("%PDF-1.7\n"), 0, 0xff]);
    const messages = await Promise.all(
      [xls, pdf, new Uint8Array()].map(async (b) => {
        const r = await parseWorkbook(b);
        return r.ok ? "accepted" : r.problems.map((p) => p.message).join();
      }),
    );
    expect(messages[0]).toMatch(/\.xls.*save it as \.xlsx/);
    expect(messages[1]).toMatch(/a PDF/);
    expect(messages[2]).toMatch(/empty/);
  });
});
