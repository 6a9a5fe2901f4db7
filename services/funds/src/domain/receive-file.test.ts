import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { receiveFile } from "./receive-file.js";

const KiB = 1024;

/** `n` chunks of `size` bytes of CSV-looking text; `pulled` counts what was taken. */
function chunks(n: number, size: number, first?: Uint8Array) {
  const counter = { pulled: 0 };
  async function* gen() {
    for (let i = 0; i < n; i++) {
      counter.pulled++;
      yield i === 0 && first ? first : new Uint8Array(size).fill(0x41);
    }
  }
  return { gen, counter };
}

describe("receiveFile", () => {
  it("joins the chunks into the file, with its SHA-256", async () => {
    const c = chunks(5, 3 * KiB);
    const got = await receiveFile(c.gen(), { limit: 100 * KiB });
    if (!got.ok) throw new Error(got.message);
    expect(got.bytes.byteLength).toBe(15 * KiB);
    expect(got.sha256).toBe(createHash("sha256").update(got.bytes).digest("hex"));
    const declared = await receiveFile(chunks(5, 3 * KiB).gen(), { declaredSize: 15 * KiB });
    expect(declared.ok && declared.sha256).toBe(got.sha256);
  });

  it("stops reading at the chunk that passes the limit", async () => {
    const c = chunks(100, 10 * KiB);
    const got = await receiveFile(c.gen(), { limit: 35 * KiB });
    expect(got).toEqual({
      ok: false,
      reason: "too_large",
      received: 40 * KiB,
      message: `the file is more than ${35 * KiB} bytes (refused after ${40 * KiB}); the limit is ${35 * KiB} (0 MB)`,
    });
    expect(c.counter.pulled).toBe(4);
  });

  it("refuses a declared size over the limit before reading a chunk, and a stream that does not match it", async () => {
    const c = chunks(10, KiB);
    const big = await receiveFile(c.gen(), { declaredSize: 60 * 1024 * KiB });
    expect(big).toMatchObject({ ok: false, reason: "too_large", received: 0 });
    expect(c.counter.pulled).toBe(0);
    expect(await receiveFile(chunks(3, KiB).gen(), { declaredSize: 2 * KiB })).toMatchObject({
      ok: false,
      reason: "size_mismatch",
      message: `the stream carries more than the ${2 * KiB} bytes its header declared`,
    });
    expect(await receiveFile(chunks(3, KiB).gen(), { declaredSize: 4 * KiB })).toMatchObject({
      ok: false,
      reason: "size_mismatch",
      message: `the stream ended after ${3 * KiB} bytes; its header declared ${4 * KiB}`,
    });
  });

  it("tells the type from the first 4 kB and stops there when it is neither ZIP nor text", async () => {
    const png = new Uint8Array(KiB);
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const c = chunks(1000, KiB, png);
    const got = await receiveFile(c.gen());
    expect(got).toMatchObject({
      ok: false,
      reason: "unsupported",
      message: "not an .xlsx workbook or a CSV text file (UTF-8)",
    });
    expect(c.counter.pulled).toBe(4);
    // A file shorter than 4 kB is told when it ends.
    const short = await receiveFile(chunks(1, 10, new Uint8Array([0, 1, 2])).gen());
    expect(short).toMatchObject({ ok: false, reason: "unsupported", received: 3 });
    expect(await receiveFile(chunks(0, 0).gen())).toMatchObject({
      ok: false,
      message: "the file is empty",
    });
  });
});
