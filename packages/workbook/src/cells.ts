/** Reading one cell as a date or an amount, the way a fund manager would have typed it. */

export type CellResult<T> = { ok: true; value: T } | { ok: false; message: string };

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30); // serial 1 = 1900-01-01, counting Excel's phantom 1900-02-29

function isoDate(y: number, m: number, d: number): string | undefined {
  const ms = Date.UTC(y, m - 1, d);
  const iso = new Date(ms).toISOString().slice(0, 10);
  return y >= 1900 &&
    y <= 2200 &&
    iso ===
      `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`
    ? iso
    : undefined;
}

/**
 * A date in any form Excel produces: a date cell, a serial number (1900 date system), or text as
 * YYYY-MM-DD, "31 Mar 2024", "Mar 31, 2024", or D/M/YYYY and M/D/YYYY when the day gives it away.
 * A date like 03/04/2024 could be either, so it is refused with a request to write it unambiguously.
 */
export function readDate(v: unknown): CellResult<string> {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return { ok: false, message: "not a valid date" };
    return { ok: true, value: v.toISOString().slice(0, 10) };
  }
  if (typeof v === "number") {
    if (!Number.isInteger(Math.floor(v)) || v < 1 || v > 2958465)
      return { ok: false, message: `${v} is not a date` };
    const serial = Math.floor(v);
    // Serials up to 60 count the non-existent 1900-02-29; no fund data is that old.
    return {
      ok: true,
      value: new Date(EXCEL_EPOCH_MS + serial * 86_400_000).toISOString().slice(0, 10),
    };
  }
  if (typeof v !== "string" || v.trim() === "") return { ok: false, message: "date is missing" };
  const s = v.trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?$/.exec(s);
  if (m) {
    const iso = isoDate(Number(m[1]), Number(m[2]), Number(m[3]));
    return iso ? { ok: true, value: iso } : { ok: false, message: `"${s}" is not a calendar date` };
  }
  m = /^(\d{1,2})[ -]([A-Za-z]{3})[A-Za-z]*[ -,]+(\d{4})$/.exec(s) ?? null;
  const named = m ? { d: Number(m[1]), mon: m[2], y: Number(m[3]) } : undefined;
  const m2 = /^([A-Za-z]{3})[A-Za-z]*\.? (\d{1,2}),? (\d{4})$/.exec(s);
  const named2 = m2 ? { d: Number(m2[2]), mon: m2[1], y: Number(m2[3]) } : undefined;
  const n = named ?? named2;
  if (n?.mon) {
    const month = MONTHS.indexOf(n.mon.toLowerCase()) + 1;
    const iso = month > 0 ? isoDate(n.y, month, n.d) : undefined;
    return iso ? { ok: true, value: iso } : { ok: false, message: `"${s}" is not a calendar date` };
  }
  m = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/.exec(s);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    const y = Number(m[3]);
    if (a > 12 && b <= 12) return wrap(isoDate(y, b, a), s);
    if (b > 12 && a <= 12) return wrap(isoDate(y, a, b), s);
    if (a === b) return wrap(isoDate(y, a, b), s);
    return {
      ok: false,
      message: `"${s}" could be day/month or month/day: write it as YYYY-MM-DD or use a date cell`,
    };
  }
  return { ok: false, message: `"${s}" is not a date: use a date cell or YYYY-MM-DD` };
}

function wrap(iso: string | undefined, s: string): CellResult<string> {
  return iso ? { ok: true, value: iso } : { ok: false, message: `"${s}" is not a calendar date` };
}

const AMOUNT = /^(-)?\(?[$€£]?\s?(\d{1,3}(?:[,' ]\d{3})+|\d+)(\.\d+)?\)?$/;

/**
 * An amount: a number cell, or text such as "1,250,000.50", "$ 1,000", "1 000" or "(2,500)" (a
 * negative in accounting notation). An empty cell is `null`. Anything else is text in a number
 * cell, reported as such rather than read as zero.
 */
export function readAmount(v: unknown): CellResult<number | null> {
  if (v === null || v === undefined || (typeof v === "string" && v.trim() === ""))
    return { ok: true, value: null };
  if (typeof v === "number")
    return Number.isFinite(v)
      ? { ok: true, value: v }
      : { ok: false, message: `${v} is not a number` };
  if (typeof v === "string") {
    const s = v.trim();
    const m = AMOUNT.exec(s);
    if (m) {
      const digits = (m[2] ?? "").replace(/[,' ]/g, "");
      const n = Number(`${digits}${m[3] ?? ""}`);
      const negative = m[1] === "-" || (s.startsWith("(") && s.endsWith(")"));
      return { ok: true, value: negative ? -n : n };
    }
    return { ok: false, message: `text "${s.slice(0, 40)}" in a number cell` };
  }
  if (v instanceof Date) return { ok: false, message: "a date in a number cell" };
  return { ok: false, message: "not a number" };
}
