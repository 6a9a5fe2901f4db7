import { sha256Hex } from "./identity-hashes.js";

/** One cell of a fund's canonical table: a number, text, or missing. */
export type Cell = number | string | null;

/**
 * Canonical text of a number: the shortest decimal that reads back as the same double (what
 * `String(n)` gives), with `-0` written as `0`. Not finite numbers are refused: they are a bug.
 */
function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`data hash: ${n} is not a finite number`);
  return Object.is(n, -0) ? "0" : String(n);
}

function formatCell(c: Cell): string {
  if (c === null) return "";
  if (typeof c === "number") return formatNumber(c);
  const s = c.normalize("NFC");
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * Hash of a fund's data content (a fund data version): `shape:<rows>x<cols>|cols:<sorted column
 * names>|<canonical CSV>`. The CSV has the columns in sorted order, a header row, `\n` line ends,
 * RFC 4180 quoting, numbers in shortest round-trip form and empty cells for missing values. Rows
 * keep their given order (the canonical table is sorted by date before hashing), so the same data
 * from a re-saved workbook, or with its columns in another order, hashes the same.
 */
export function dataHash(columns: Record<string, Cell[]>): string {
  const names = Object.keys(columns).sort();
  if (names.length === 0) throw new Error("data hash: the table has no columns");
  const rows = columns[names[0] as string]?.length ?? 0;
  for (const n of names) {
    if (n.includes(",") || n.includes("|") || n.includes("\n"))
      throw new Error(
        `data hash: column name ${JSON.stringify(n)} may not contain , | or a line break`,
      );
    if (columns[n]?.length !== rows)
      throw new Error(`data hash: column ${n} has ${columns[n]?.length} rows, expected ${rows}`);
  }
  const lines = [names.join(",")];
  for (let r = 0; r < rows; r++)
    lines.push(names.map((n) => formatCell(columns[n]?.[r] ?? null)).join(","));
  return sha256Hex(`shape:${rows}x${names.length}|cols:${names.join(",")}|${lines.join("\n")}\n`);
}
