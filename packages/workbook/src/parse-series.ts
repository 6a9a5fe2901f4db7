import { readAmount, readDate } from "./cells.js";
import type { Format, Sheet } from "./grid.js";
import { describeUnsupported, detectFormat, readSheets } from "./grid.js";
import type { Problem } from "./parse-workbook.js";

/** One uploaded return series: periodic total returns (0.01 is 1%) by ascending date. */
export interface ReturnSeries {
  readonly name: string;
  readonly frequency: "daily" | "weekly";
  readonly dates: string[];
  readonly returns: number[];
}

export type SeriesParseResult =
  | { ok: true; format: Format; series: ReturnSeries[] }
  | { ok: false; problems: Problem[] };

const DAY_MS = 86_400_000;
const letter = (i: number): string =>
  i < 26 ? String.fromCharCode(65 + i) : letter(Math.floor(i / 26) - 1) + letter(i % 26);

/** A return as typed: a decimal (0.0123), a percentage ("1.23%"), or empty (no return that date). */
function readReturn(
  v: unknown,
): { ok: true; value: number | null } | { ok: false; message: string } {
  if (typeof v === "string" && v.trim().endsWith("%")) {
    const r = readAmount(v.trim().slice(0, -1).trim());
    if (!r.ok || r.value === null)
      return { ok: false, message: `"${v.trim()}" is not a percentage` };
    return { ok: true, value: r.value / 100 };
  }
  return readAmount(v);
}

/**
 * Parses a market or comparable return series upload (.xlsx, first sheet, or .csv, told apart by
 * content): a "Date" column, then one column per series headed by the series' name, each cell
 * that date's periodic total return as a decimal (0.0123) or a percentage ("1.23%"); an empty
 * cell means no return for that series on that date. Each series must be daily or weekly (told
 * from the median gap between its dates), its dates unique, and every return above -100%. Every
 * problem is reported at once with its sheet, row and column.
 */
export async function parseReturnSeries(bytes: Uint8Array): Promise<SeriesParseResult> {
  const format = detectFormat(bytes);
  if (!format)
    return { ok: false, problems: [{ sheet: "(file)", message: describeUnsupported(bytes) }] };
  let sheets: Sheet[];
  try {
    sheets = await readSheets(bytes, format);
  } catch (err) {
    return {
      ok: false,
      problems: [
        {
          sheet: "(file)",
          message: `the file cannot be read as ${format}: ${(err as Error).message}`,
        },
      ],
    };
  }
  const sheet = sheets[0];
  const header = sheet?.rows[0];
  if (!sheet || !header)
    return {
      ok: false,
      problems: [{ sheet: sheet?.name ?? "(file)", message: "no data: the first sheet is empty" }],
    };
  const problems: Problem[] = [];
  const names = header.cells.map((c) => (typeof c === "string" ? c.normalize("NFC").trim() : ""));
  if ((names[0] ?? "").toLowerCase() !== "date")
    problems.push({
      sheet: sheet.name,
      row: header.row,
      column: "A",
      message: 'the first column must be "Date"',
    });
  const columns: { i: number; name: string }[] = [];
  const seenNames = new Map<string, number>();
  for (let i = 1; i < header.cells.length; i++) {
    const name = names[i] ?? "";
    if (!name) continue;
    const col = `${letter(i)} (${name})`;
    if (name.includes("|") || name.length > 100)
      problems.push({
        sheet: sheet.name,
        row: header.row,
        column: col,
        message: "a series name has at most 100 characters and no |",
      });
    const first = seenNames.get(name);
    if (first !== undefined)
      problems.push({
        sheet: sheet.name,
        row: header.row,
        column: col,
        message: `series "${name}" is also in column ${letter(first)}`,
      });
    else seenNames.set(name, i);
    columns.push({ i, name });
  }
  if (columns.length === 0)
    problems.push({
      sheet: sheet.name,
      row: header.row,
      message: "no series: name each series in the header row, after Date",
    });
  const points = new Map<string, { date: string; value: number; row: number }[]>(
    columns.map((c) => [c.name, []]),
  );
  for (const { row, cells } of sheet.rows.slice(1)) {
    if (
      cells.every(
        (c) => c === null || c === undefined || (typeof c === "string" && c.trim() === ""),
      )
    )
      continue;
    const date = readDate(cells[0]);
    if (!date.ok)
      problems.push({ sheet: sheet.name, row, column: "A (Date)", message: date.message });
    for (const c of columns) {
      const column = `${letter(c.i)} (${c.name})`;
      const r = readReturn(cells[c.i]);
      if (!r.ok) problems.push({ sheet: sheet.name, row, column, message: r.message });
      else if (r.value !== null && !(r.value > -1))
        problems.push({
          sheet: sheet.name,
          row,
          column,
          message: `a return of ${r.value} is -100% or worse`,
        });
      else if (r.value !== null && date.ok)
        points.get(c.name)?.push({ date: date.value, value: r.value, row });
    }
  }
  const series: ReturnSeries[] = [];
  for (const c of columns) {
    const list = (points.get(c.name) ?? []).sort((a, b) =>
      a.date < b.date ? -1 : a.date > b.date ? 1 : 0,
    );
    const column = `${letter(c.i)} (${c.name})`;
    if (list.length < 2) {
      problems.push({
        sheet: sheet.name,
        column,
        message: `series "${c.name}" needs at least two returns`,
      });
      continue;
    }
    const gaps: number[] = [];
    for (let k = 1; k < list.length; k++) {
      const a = list[k - 1] as (typeof list)[number];
      const b = list[k] as (typeof list)[number];
      if (a.date === b.date)
        problems.push({
          sheet: sheet.name,
          row: b.row,
          column: "A (Date)",
          message: `${c.name}: date ${b.date} appears twice (rows ${a.row} and ${b.row})`,
        });
      gaps.push((Date.parse(b.date) - Date.parse(a.date)) / DAY_MS);
    }
    const median = [...gaps].sort((x, y) => x - y)[Math.floor(gaps.length / 2)] ?? 0;
    const frequency =
      median >= 1 && median <= 4 ? "daily" : median >= 5 && median <= 10 ? "weekly" : undefined;
    if (!frequency) {
      problems.push({
        sheet: sheet.name,
        column,
        message: `series "${c.name}": its dates are typically ${median} days apart; upload daily or weekly returns`,
      });
      continue;
    }
    series.push({
      name: c.name,
      frequency,
      dates: list.map((p) => p.date),
      returns: list.map((p) => p.value),
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, format, series };
}
