import { fileIdentityHash } from "@portal/hashing";
import type { Database, Tx } from "@portal/runtime";
import { rowsOf } from "@portal/runtime";
import type { Problem } from "@portal/workbook";
import { sql } from "drizzle-orm";

/** Uploads larger than this are refused: 50 MB (52,428,800 bytes). */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

/** The message of an upload refused for its size (`more`: refused while streamed, total unknown). */
export function tooLargeMessage(bytes: number, more = false, limit = MAX_UPLOAD_BYTES): string {
  const mb = Math.round(limit / 1024 / 1024);
  return more
    ? `the file is more than ${limit} bytes (refused after ${bytes}); the limit is ${limit} (${mb} MB)`
    : `the file is ${bytes} bytes; the limit is ${limit} (${mb} MB)`;
}

/** The audit record of one upload attempt (funds.uploads), accepted or rejected. */
export interface UploadRecord {
  readonly orgId: string;
  readonly uploadedBy: string;
  readonly kind: "workbook" | "market_series";
  /** As uploaded; trimmed and NFC-normalised here. A market-series file may have none. */
  readonly filename: string;
  /** Null when the file was refused before it was read whole. */
  readonly sha256: string | null;
  /** The file's size, or the bytes read before a streamed upload was refused. */
  readonly sizeBytes: number;
  readonly format: string | null;
  readonly status: "accepted" | "rejected";
  readonly problems: readonly Problem[] | null;
  readonly rawKey: string | null;
}

const NO_NAME = "(no name)";

/** The file name an upload is recorded under. */
export const recordedName = (filename: string) => filename.normalize("NFC").trim() || NO_NAME;

/** Writes an upload's audit record inside the caller's transaction; returns its id. */
export async function recordUpload(tx: Tx, r: UploadRecord): Promise<string> {
  const filename = recordedName(r.filename);
  const row = rowsOf(
    await tx.execute(sql`INSERT INTO funds.uploads (org_id, kind, filename, file_identity_hash, sha256, size_bytes, format, status, problems, raw_key, uploaded_by)
      VALUES (${r.orgId}, ${r.kind}, ${filename}, ${fileIdentityHash(r.orgId, filename)}, ${r.sha256},
              ${Math.min(r.sizeBytes, 2 ** 31 - 1)}, ${r.format}, ${r.status},
              ${r.problems ? JSON.stringify(r.problems) : null}::jsonb, ${r.rawKey}, ${r.uploadedBy}) RETURNING id`),
  )[0];
  return String(row?.id);
}

/** Records a rejected upload, which stores nothing else; returns the record's id. */
export function recordRejected(
  db: Database,
  r: Omit<UploadRecord, "status" | "rawKey">,
): Promise<string> {
  return db.withOrg(r.orgId, (tx) => recordUpload(tx, { ...r, status: "rejected", rawKey: null }));
}
