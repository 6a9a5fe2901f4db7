import { describe, expect, it } from "vitest";
import { SNIFF_BYTES, sniffFormat } from "./grid.js";
import { workbookTemplate } from "./template.js";

const text = (s: string) => new TextEncoder().encode(s);

describe("sniffFormat", () => {
  it("takes a ZIP as a possible .xlsx and UTF-8 text as CSV, from the first bytes only", async () => {
    const xlsx = await workbookTemplate();
    expect(sniffFormat(xlsx.subarray(0, SNIFF_BYTES), false)).toEqual({ ok: true, format: "xlsx" });
    expect(sniffFormat(text("\uFEFFFund,Date\nA,2020-01-03\n"), true)).toEqual({
      ok: true,
      format: "csv",
    });
    // A multi-byte character cut at the end of the head is not held against a file still coming.
    const cut = text(`${"a".repeat(SNIFF_BYTES - 1)}é`).subarray(0, SNIFF_BYTES);
    expect(sniffFormat(cut, false)).toEqual({ ok: true, format: "csv" });
    expect(sniffFormat(cut, true).ok).toBe(false);
  });

  it("refuses what is neither, saying what it looks like", () => {
    const png = new Uint8Array(SNIFF_BYTES);
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(sniffFormat(png, false)).toEqual({
      ok: false,
      message: "not an .xlsx workbook or a CSV text file (UTF-8)",
    });
    const xls = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
    expect(sniffFormat(xls, true)).toMatchObject({ ok: false, message: /old-format Excel/ });
    const pdf = new Uint8Array([...text("%PDF-1.7\n%"), 0xe2, 0xe3, 0xcf, 0xd3, 0x0a]);
    expect(sniffFormat(pdf, true)).toMatchObject({ ok: false, message: /a PDF/ });
    expect(sniffFormat(new Uint8Array(), true)).toEqual({
      ok: false,
      message: "the file is empty",
    });
  });
});
