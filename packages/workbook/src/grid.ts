import { Readable } from "node:stream";
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
    const cells: unknown[] = [];
    r.eachCell({ includeEmpty: true }, (c, col) => {
      cells[col - 1] = plain(c.value);
    });
    rows.push({ row: rowNumber, cells });
  });
  return { name: ws.name, rows };
}

/** Reads every sheet of an .xlsx, or the one sheet of a CSV (named "csv"), keeping raw text. */
export async function readSheets(bytes: Uint8Array, format: Format): Promise<Sheet[]> {
  const wb = new ExcelJS.Workbook();
  if (format === "xlsx") {
    await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
    return wb.worksheets.map(sheetOf);
  }
  let text = new TextDecoder().decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // map keeps every value as the text typed: amounts and dates are read by cells.ts, not guessed.
  const ws = await wb.csv.read(Readable.from([text]), {
    map: (value: unknown) => value,
    sheetName: "csv",
  });
  return [sheetOf(ws)];
}
