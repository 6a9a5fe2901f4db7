/**
 * Receives a streamed upload chunk by chunk (UploadWorkbookStream): counts and hashes the bytes as
 * they arrive and stops reading the moment the file passes the size limit or its first bytes show
 * it is neither a ZIP (.xlsx) nor UTF-8 text (.csv), so a refused upload is never read whole.
 */
import { createHash } from "node:crypto";
import { SNIFF_BYTES, sniffFormat } from "@portal/workbook";
import { MAX_UPLOAD_BYTES, tooLargeMessage } from "./upload-audit.js";

export type Received =
  | { readonly ok: true; readonly bytes: Uint8Array; readonly sha256: string }
  | {
      readonly ok: false;
      readonly reason: "too_large" | "unsupported" | "size_mismatch";
      /** Bytes read before the refusal. */
      readonly received: number;
      readonly message: string;
    };

/**
 * Reads `chunks` into one buffer of the file's size. With a declared size the buffer is allocated
 * once and each chunk copied into it (one copy of the file in memory); without, the chunks are
 * kept and joined at the end (two copies for the moment of the join). Returns as soon as the
 * file is refused, without reading the rest; the caller then closes the stream.
 */
export async function receiveFile(
  chunks: AsyncIterable<Uint8Array>,
  opts: { declaredSize?: number; limit?: number } = {},
): Promise<Received> {
  const limit = opts.limit ?? MAX_UPLOAD_BYTES;
  const declared = opts.declaredSize && opts.declaredSize > 0 ? opts.declaredSize : undefined;
  if (declared !== undefined && declared > limit)
    return {
      ok: false,
      reason: "too_large",
      received: 0,
      message: tooLargeMessage(declared, false, limit),
    };
  const hash = createHash("sha256");
  const whole = declared !== undefined ? new Uint8Array(declared) : undefined;
  const parts: Uint8Array[] = [];
  let received = 0;
  let sniffed = false;
  const head = (): Uint8Array => {
    const n = Math.min(received, SNIFF_BYTES);
    if (whole) return whole.subarray(0, n);
    const out = new Uint8Array(n);
    let at = 0;
    for (const p of parts) {
      if (at >= n) break;
      const take = p.subarray(0, n - at);
      out.set(take, at);
      at += take.byteLength;
    }
    return out;
  };
  const sniff = (complete: boolean): Received | undefined => {
    sniffed = true;
    const s = sniffFormat(head(), complete);
    return s.ok ? undefined : { ok: false, reason: "unsupported", received, message: s.message };
  };
  for await (const c of chunks) {
    if (c.byteLength === 0) continue;
    const next = received + c.byteLength;
    if (next > limit)
      return {
        ok: false,
        reason: "too_large",
        received: next,
        message: tooLargeMessage(next, true, limit),
      };
    if (declared !== undefined && next > declared)
      return {
        ok: false,
        reason: "size_mismatch",
        received: next,
        message: `the stream carries more than the ${declared} bytes its header declared`,
      };
    hash.update(c);
    if (whole) whole.set(c, received);
    else parts.push(c);
    received = next;
    if (!sniffed && received >= SNIFF_BYTES) {
      const refused = sniff(false);
      if (refused) return refused;
    }
  }
  if (!sniffed) {
    const refused = sniff(true);
    if (refused) return refused;
  }
  if (declared !== undefined && received !== declared)
    return {
      ok: false,
      reason: "size_mismatch",
      received,
      message: `the stream ended after ${received} bytes; its header declared ${declared}`,
    };
  let bytes: Uint8Array;
  if (whole) bytes = whole;
  else {
    bytes = parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts, received);
    parts.length = 0;
  }
  return { ok: true, bytes, sha256: hash.digest("hex") };
}
