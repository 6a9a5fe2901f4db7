import ExcelJS from "exceljs";

/** One sheet as rows of plain cell values (numbers, strings, Dates, null), with sheet row numbers. */
export interface Sheet {
  readonly name: string;
  readonly rows: { readonly row: number; readonly cells: unknown[] }[];
}

export type Format = "xlsx" | "csv";

const isZip = (b: Uint8Array) => b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
// Names in a ZIP's local headers and central directory are stored uncompressed.
const hasZipEntry = (b: Uint8Array, name: string) =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).includes(name, 0, "latin1");

/** A file's type from its content, not its name: an .xlsx is a ZIP with a workbook; a CSV is text. */
export function detectFormat(bytes: Uint8Array): Format | undefined {
  if (isZip(bytes)) return hasZipEntry(bytes, "xl/workbook.xml") ? "xlsx" : undefined;
  const head = bytes.subarray(0, 4096);
  if (head.includes(0)) return undefined; // binary, and not an .xlsx
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(
      head.subarray(0, Math.max(0, head.length - 4)),
    );
  } catch {
    return undefined;
  }
  return "csv";
}

/** How many leading bytes `sniffFormat` looks at (fewer only when the file is shorter). */
export const SNIFF_BYTES = 4096;

export type Sniffed =
  | { readonly ok: true; readonly format: Format }
  | { readonly ok: false; readonly message: string };

/**
 * A file's type from its first bytes alone (at least SNIFF_BYTES of them, or the whole file when
 * `complete`), so that a streamed upload is refused before the rest is read: a ZIP may be an
 * .xlsx (whether it holds a workbook is told once the whole file is there, by detectFormat), UTF-8
 * text is a CSV, anything else is refused with what it looks like. Never the file's name.
 */
export function sniffFormat(head: Uint8Array, complete: boolean): Sniffed {
  if (head.byteLength === 0) return { ok: false, message: describeUnsupported(head) };
  if (isZip(head)) return { ok: true, format: "xlsx" };
  const h = head.subarray(0, SNIFF_BYTES);
  let text = !h.includes(0);
  if (text) {
    try {
      // A multi-byte character may be cut at the end of the head unless the file ends there.
      const cut = complete && h.byteLength === head.byteLength ? h.length : h.length - 4;
      new TextDecoder("utf-8", { fatal: true }).decode(h.subarray(0, Math.max(0, cut)));
    } catch {
      text = false;
    }
  }
  return text ? { ok: true, format: "csv" } : { ok: false, message: describeUnsupported(head) };
}

/**
 * Why a file is neither an .xlsx workbook nor CSV text, in the user's terms: told by its first
 * bytes (an old .xls, a PDF, some other ZIP), never by its name.
 */
export function describeUnsupported(bytes: Uint8Array): string {
  if (bytes.byteLength === 0) return "the file is empty";
  if (isZip(bytes))
    return "a ZIP file but not an Excel workbook (.xlsx): it has no xl/workbook.xml";
  const head = Buffer.from(bytes.subarray(0, 8));
  if (head.equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])))
    return "an old-format Excel file (.xls) or other OLE document: save it as .xlsx";
  if (head.subarray(0, 5).toString("latin1") === "%PDF-")
    return "a PDF, not a workbook: upload the .xlsx or a CSV export";
  return "not an .xlsx workbook or a CSV text file (UTF-8)";
}

/** A cell's value as the user sees it: a formula's result, rich text as its text. */
function plain(v: ExcelJS.CellValue): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean" || v instanceof Date)
    return v;
  if (typeof v === "object") {
    if ("result" in v) return plain(v.result as ExcelJS.CellValue);
    if ("richText" in v) return v.richText.map((r) => r.text).join("");
    if ("text" in v) return plain(v.text as ExcelJS.CellValue);
    if ("error" in v) return { error: v.error };
  }
  return String(v);
}

function sheetOf(ws: ExcelJS.Worksheet): Sheet {
  const rows: Sheet["rows"] = [];
  ws.eachRow({ includeEmpty: false }, (r, rowNumber) => {
    // row.values is 1-based and sparse; reading it whole is much faster than cell by cell.
    const values = r.values as ExcelJS.CellValue[];
    const cells: unknown[] = new Array(Math.max(0, values.length - 1));
    for (let i = 1; i < values.length; i++) cells[i - 1] = plain(values[i]);
    rows.push({ row: rowNumber, cells });
  });
  return { name: ws.name, rows };
}

/**
 * CSV text (RFC 4180: comma-separated, fields optionally in double quotes with "" for a quote,
 * CRLF or LF line ends) as rows of strings, with sheet row numbers counted as a spreadsheet does.
 * Written here because the general-purpose reader took seconds on a 100,000-row upload.
 */
export function readCsv(text: string): Sheet["rows"] {
  const rows: Sheet["rows"] = [];
  let cells: unknown[] = [];
  let field = "";
  let quoted = false;
  let row = 1;
  const endRow = () => {
    cells.push(field);
    if (!(cells.length === 1 && field === "")) rows.push({ row, cells });
    row++;
    cells = [];
    field = "";
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === ",") {
      cells.push(field);
      field = "";
    } else if (ch === "\n") endRow();
    else if (ch === "\r") {
      if (text[i + 1] === "\n") i++;
      endRow();
    } else field += ch;
  }
  if (field !== "" || cells.length > 0) endRow();
  return rows;
}

/** Reads every sheet of an .xlsx, or the one sheet of a CSV (named "csv"), keeping raw text. */
export async function readSheets(bytes: Uint8Array, format: Format): Promise<Sheet[]> {
  if (format === "xlsx") {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
    return wb.worksheets.map(sheetOf);
  }
  let text = new TextDecoder().decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // Every value stays the text typed: amounts and dates are read by cells.ts, not guessed.
  return [{ name: "csv", rows: readCsv(text) }];
}
