import type { Problem } from "@portal/workbook";
import { parseReturnSeries, parseWorkbook, workbookTemplate } from "@portal/workbook";
import ExcelJS from "exceljs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * Property tests of the upload parsers: whatever bytes arrive (random, corrupted workbooks,
 * CSV with random cells) they return either data or a non-empty list of problems, each saying
 * where; they never throw and never hang (each run is bounded by the test's timeout).
 */

function checkProblems(problems: Problem[]): void {
  expect(problems.length).toBeGreaterThan(0);
  for (const p of problems) {
    expect(typeof p.sheet).toBe("string");
    expect(p.sheet.length).toBeGreaterThan(0);
    expect(p.message.length).toBeGreaterThan(0);
    if (p.row !== undefined) expect(Number.isInteger(p.row) && p.row >= 1).toBe(true);
  }
}

async function checkWorkbook(bytes: Uint8Array): Promise<void> {
  const r = await parseWorkbook(bytes);
  if (!r.ok) return checkProblems(r.problems);
  expect(r.funds.length).toBeGreaterThan(0);
  for (const f of r.funds) {
    expect(f.name.length).toBeGreaterThan(0);
    for (const row of f.rows) {
      expect(row.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(row.contribution >= 0 && row.distribution >= 0).toBe(true);
      expect(row.nav === null || row.nav > 0).toBe(true);
    }
  }
}

async function checkSeries(bytes: Uint8Array): Promise<void> {
  const r = await parseReturnSeries(bytes);
  if (!r.ok) return checkProblems(r.problems);
  for (const s of r.series) {
    expect(s.dates.length).toBe(s.returns.length);
    expect(s.returns.every((x) => Number.isFinite(x) && x > -1)).toBe(true);
  }
}

const cell = fc.oneof(
  fc.constant(""),
  fc.string({ maxLength: 12 }),
  fc.double({ noNaN: false }).map(String),
  fc.integer({ min: -1_000_000, max: 10_000_000 }).map(String),
  fc.constantFrom(
    "2020-01-03",
    "31/12/2021",
    "03/04/2024",
    "Mar 31, 2024",
    "2020-02-30",
    "1,250,000.50",
    "(2,500)",
    "1%",
    "abc",
    '"quoted, comma"',
    "\u00e9t\u00e9",
    "\t",
  ),
);
const csvText = fc
  .tuple(
    fc.constantFrom(
      "Fund,Date,Contribution,Distribution,GP NAV",
      "Fund,Date,Contribution,Distribution,GP NAV,Secondary price",
      "Date,A,B",
      "x,y",
      "",
    ),
    fc.array(fc.array(cell, { maxLength: 7 }), { maxLength: 30 }),
    fc.constantFrom("\n", "\r\n"),
  )
  .map(([header, rows, eol]) =>
    new TextEncoder().encode([header, ...rows.map((r) => r.join(","))].join(eol)),
  );

/** Changes bytes at random places, or cuts the file short: a damaged upload. */
const corrupt = (valid: () => Uint8Array) =>
  fc
    .record({
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
    })
    .map(({ flips, cut }) => {
      const b = valid().slice();
      for (const [at, v] of flips) b[at % b.length] = v;
      return cut === undefined ? b : b.subarray(0, cut % b.length);
    });

describe("the upload parsers under random and corrupted input", () => {
  let template: Uint8Array;
  let seriesXlsx: Uint8Array;
  beforeAll(async () => {
    template = await workbookTemplate();
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet("Returns").addRows([
      ["Date", "World"],
      [new Date(Date.UTC(2024, 0, 5)), 0.01],
      [new Date(Date.UTC(2024, 0, 12)), -0.02],
    ]);
    seriesXlsx = new Uint8Array(await wb.xlsx.writeBuffer());
  });

  it("random bytes: problems, never a crash", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (bytes) => {
        await checkWorkbook(bytes);
        await checkSeries(bytes);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it("random bytes behind the ZIP signature: problems, never a crash", async () => {
    const zipLike = fc.uint8Array({ minLength: 24, maxLength: 2048 }).map((b) => {
      const out = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...b]);
      out.set(new TextEncoder().encode("xl/workbook.xml"), 8);
      return out;
    });
    await fc.assert(fc.asyncProperty(zipLike, checkWorkbook), { seed: 11, numRuns: 100 });
  });

  it("CSV with random cells: data or every problem listed", async () => {
    await fc.assert(
      fc.asyncProperty(csvText, async (bytes) => {
        await checkWorkbook(bytes);
        await checkSeries(bytes);
      }),
      { seed: 19, numRuns: 300 },
    );
  });

  it("corrupted .xlsx workbooks and series files: data or problems, never a crash", async () => {
    await fc.assert(
      fc.asyncProperty(
        corrupt(() => template),
        checkWorkbook,
      ),
      { seed: 23, numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(
        corrupt(() => seriesXlsx),
        checkSeries,
      ),
      { seed: 29, numRuns: 150 },
    );
  }, 120_000);
});
