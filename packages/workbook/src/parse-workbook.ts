import { readAmount, readDate } from "./cells.js";
import type { Format, Sheet } from "./grid.js";
import { describeUnsupported, detectFormat, readSheets } from "./grid.js";

/** Something wrong with an upload, and where: shown to the user as is. */
export interface Problem {
  readonly sheet: string;
  /** Sheet row number (1 is the header row). */
  readonly row?: number;
  /** Column letter (A, B, ...) and header. */
  readonly column?: string;
  readonly message: string;
}

/** One week-or-day of one fund, as uploaded. Amounts are positive; a missing NAV is null. */
export interface FundRow {
  readonly date: string;
  readonly contribution: number;
  readonly distribution: number;
  readonly nav: number | null;
  readonly secondaryPrice: number | null;
  readonly row: number;
}

export interface ParsedFund {
  readonly name: string;
  /** Sorted by date. */
  readonly rows: FundRow[];
}

/** Which market and comparable series a fund is measured against (the optional Market sheet). */
export interface MarketAssignment {
  readonly fund: string;
  readonly market: string;
  readonly comparable: string | null;
}

export type ParseResult =
  | { ok: true; format: Format; funds: ParsedFund[]; market: MarketAssignment[] }
  | { ok: false; problems: Problem[] };

export interface ParseOptions {
  /** Names of the market and comparable series this organisation has; unknown names are errors. */
  readonly knownSeries?: ReadonlySet<string>;
}

type Field = "fund" | "date" | "contribution" | "distribution" | "nav" | "secondary";
const HEADERS: Record<Field, string[]> = {
  fund: ["fund", "fund name"],
  date: ["date", "as of", "as of date"],
  contribution: ["contribution", "contributions", "capital call", "capital calls", "call", "calls"],
  distribution: ["distribution", "distributions"],
  nav: ["gp nav", "nav", "reported nav", "net asset value"],
  secondary: ["secondary price", "secondary", "third-party price"],
};
const REQUIRED: Field[] = ["fund", "date", "contribution", "distribution", "nav"];
const TITLES: Record<Field, string> = {
  fund: "Fund",
  date: "Date",
  contribution: "Contribution",
  distribution: "Distribution",
  nav: "GP NAV",
  secondary: "Secondary price",
};
const MARKET_SHEET = "market";

const norm = (s: unknown) =>
  typeof s === "string" ? s.normalize("NFC").trim().toLowerCase().replace(/\s+/g, " ") : "";
const letter = (i: number): string =>
  i < 26 ? String.fromCharCode(65 + i) : letter(Math.floor(i / 26) - 1) + letter(i % 26);
const isBlank = (cells: unknown[]) =>
  cells.every((c) => c === null || c === undefined || (typeof c === "string" && c.trim() === ""));

/**
 * Parses an uploaded workbook (.xlsx or .csv, told apart by content) in the documented template:
 * one row per fund per date with Fund, Date, Contribution, Distribution, GP NAV and optionally
 * Secondary price, plus an optional "Market" sheet naming each fund's market and comparable series.
 * Every problem is reported at once with its sheet, row and column; nothing is half-accepted.
 */
export async function parseWorkbook(
  bytes: Uint8Array,
  opts: ParseOptions = {},
): Promise<ParseResult> {
  const format = detectFormat(bytes);
  if (!format)
    return {
      ok: false,
      problems: [{ sheet: "(file)", message: describeUnsupported(bytes) }],
    };
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
  const problems: Problem[] = [];
  const data = sheets.find((s) => norm(s.name) !== MARKET_SHEET);
  if (!data || data.rows.length === 0)
    return {
      ok: false,
      problems: [{ sheet: data?.name ?? "(file)", message: "no data: the first sheet is empty" }],
    };

  const funds = readData(data, problems);
  if (funds.size === 0 && problems.length === 0)
    problems.push({ sheet: data.name, message: "no data rows: the sheet has only its header" });
  const marketSheet = sheets.find((s) => norm(s.name) === MARKET_SHEET);
  const market = marketSheet
    ? readMarket(marketSheet, new Set(funds.keys()), opts.knownSeries, problems)
    : [];
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    format,
    funds: [...funds.entries()].map(([name, rows]) => ({
      name,
      rows: [...rows].sort((a, b) => (a.date < b.date ? -1 : 1)),
    })),
    market,
  };
}

function headerColumns<F extends string>(
  sheet: Sheet,
  headers: Record<F, string[]>,
  required: F[],
  titles: Record<F, string>,
  problems: Problem[],
) {
  const header = sheet.rows[0];
  const cols = new Map<F, number>();
  header?.cells.forEach((c, i) => {
    const h = norm(c);
    for (const [field, names] of Object.entries(headers) as [F, string[]][]) {
      if (names.includes(h) && !cols.has(field)) cols.set(field, i);
    }
  });
  for (const f of required) {
    if (!cols.has(f))
      problems.push({
        sheet: sheet.name,
        row: header?.row ?? 1,
        message: `missing column "${titles[f]}"`,
      });
  }
  return cols;
}

function readData(sheet: Sheet, problems: Problem[]): Map<string, FundRow[]> {
  const cols = headerColumns(sheet, HEADERS, REQUIRED, TITLES, problems);
  const funds = new Map<string, FundRow[]>();
  if (REQUIRED.some((f) => !cols.has(f))) return funds;
  const where = new Map<Field, { i: number; column: string }>();
  for (const [field, i] of cols) where.set(field, { i, column: `${letter(i)} (${TITLES[field]})` });
  const at = (field: Field) => where.get(field) as { i: number; column: string };
  for (const { row, cells } of sheet.rows.slice(1)) {
    if (isBlank(cells)) continue;
    const say = (field: Field, message: string) =>
      problems.push({ sheet: sheet.name, row, column: at(field).column, message });
    const name =
      typeof cells[at("fund").i] === "string"
        ? (cells[at("fund").i] as string).normalize("NFC").trim()
        : String(cells[at("fund").i] ?? "").trim();
    if (!name) say("fund", "fund name is missing");
    const date = readDate(cells[at("date").i]);
    if (!date.ok) say("date", date.message);
    const amount = (field: Field, positive: boolean): number | null => {
      const r = readAmount(cells[at(field).i]);
      if (!r.ok) {
        say(field, r.message);
        return null;
      }
      if (r.value !== null && (positive ? r.value <= 0 : r.value < 0)) {
        say(
          field,
          positive
            ? `${TITLES[field]} ${r.value} must be above zero (leave the cell empty when there is none)`
            : `negative ${TITLES[field].toLowerCase()} ${r.value}: enter amounts as positive numbers`,
        );
        return null;
      }
      return r.value;
    };
    const contribution = amount("contribution", false);
    const distribution = amount("distribution", false);
    const nav = amount("nav", true);
    const secondaryPrice = cols.has("secondary") ? amount("secondary", true) : null;
    if (!name || !date.ok) continue;
    const list = funds.get(name) ?? [];
    list.push({
      date: date.value,
      contribution: contribution ?? 0,
      distribution: distribution ?? 0,
      nav,
      secondaryPrice,
      row,
    });
    funds.set(name, list);
  }
  for (const [name, rows] of funds)
    checkFund(sheet.name, name, rows, problems, at("date").column, at("nav").column);
  return funds;
}

/** Checks across one fund's rows: dates unique, a first contribution, no NAV before it. */
function checkFund(
  sheet: string,
  name: string,
  rows: FundRow[],
  problems: Problem[],
  dateColumn: string,
  navColumn: string,
): void {
  const seen = new Map<string, number>();
  for (const r of rows) {
    const first = seen.get(r.date);
    if (first !== undefined)
      problems.push({
        sheet,
        row: r.row,
        column: dateColumn,
        message: `${name}: date ${r.date} appears twice (rows ${first} and ${r.row})`,
      });
    else seen.set(r.date, r.row);
  }
  const calls = rows
    .filter((r) => r.contribution > 0)
    .map((r) => r.date)
    .sort();
  const firstCall = calls[0];
  if (!firstCall) {
    problems.push({ sheet, message: `${name}: no contribution, so the fund has no start` });
    return;
  }
  for (const r of rows) {
    if (r.nav !== null && r.date < firstCall) {
      problems.push({
        sheet,
        row: r.row,
        column: navColumn,
        message: `${name}: NAV dated ${r.date}, before the first contribution on ${firstCall}`,
      });
    }
  }
}

type MarketField = "fund" | "market" | "comparable";
function readMarket(
  sheet: Sheet,
  funds: Set<string>,
  known: ReadonlySet<string> | undefined,
  problems: Problem[],
): MarketAssignment[] {
  const titles: Record<MarketField, string> = {
    fund: "Fund",
    market: "Market series",
    comparable: "Comparable series",
  };
  const cols = headerColumns<MarketField>(
    sheet,
    {
      fund: ["fund", "fund name"],
      market: ["market series", "market"],
      comparable: ["comparable series", "comparable"],
    },
    ["fund", "market"],
    titles,
    problems,
  );
  if (!cols.has("fund") || !cols.has("market")) return [];
  const out: MarketAssignment[] = [];
  const text = (cells: unknown[], f: MarketField) => {
    const i = cols.get(f);
    return i === undefined
      ? ""
      : String(cells[i] ?? "")
          .normalize("NFC")
          .trim();
  };
  for (const { row, cells } of sheet.rows.slice(1)) {
    if (isBlank(cells)) continue;
    const col = (f: MarketField) => `${letter(cols.get(f) as number)} (${titles[f]})`;
    const fund = text(cells, "fund");
    const market = text(cells, "market");
    const comparable = text(cells, "comparable");
    if (!funds.has(fund))
      problems.push({
        sheet: sheet.name,
        row,
        column: col("fund"),
        message: `fund "${fund}" is not in the data sheet`,
      });
    if (!market)
      problems.push({
        sheet: sheet.name,
        row,
        column: col("market"),
        message: "market series is missing",
      });
    for (const [f, s] of [
      ["market", market],
      ["comparable", comparable],
    ] as const) {
      if (s && known && !known.has(s))
        problems.push({
          sheet: sheet.name,
          row,
          column: col(f),
          message: `unknown series "${s}": upload it as market data first`,
        });
    }
    out.push({ fund, market, comparable: comparable || null });
  }
  return out;
}
