import { dataHash, fileIdentityHash, fundIdentityHash, sha256Hex } from "@portal/hashing";
import type { Database, ObjectStore, Tx } from "@portal/runtime";
import { rowsOf } from "@portal/runtime";
import type { Problem } from "@portal/workbook";
import { parseWorkbook } from "@portal/workbook";
import { sql } from "drizzle-orm";
import { parquetWriteBuffer } from "hyparquet-writer";
import type { WeeklyTable } from "./weekly.js";
import { hashColumns, toWeekly } from "./weekly.js";

/** Uploads larger than this are refused before they are read. */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

export interface UploadInput {
  readonly orgId: string;
  readonly uploadedBy: string;
  readonly filename: string;
  readonly bytes: Uint8Array;
  /** Series names the organisation has (for the Market sheet); unset skips that check. */
  readonly knownSeries?: ReadonlySet<string>;
}

export interface StoredFund {
  readonly name: string;
  readonly fundIdentityHash: string;
  readonly dataHash: string;
  readonly versionNumber: number;
  /** False when this data was already stored: the existing version is returned. */
  readonly isNew: boolean;
}

export type UploadOutcome =
  | { readonly status: "accepted"; readonly uploadId: string; readonly funds: StoredFund[] }
  | { readonly status: "rejected"; readonly uploadId: string; readonly problems: Problem[] };

/** The canonical weekly table as Parquet (week as a date string, amounts as doubles). */
function toParquet(t: WeeklyTable): Uint8Array {
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: "week", data: t.week, type: "STRING" },
        { name: "contribution", data: t.contribution, type: "DOUBLE" },
        { name: "distribution", data: t.distribution, type: "DOUBLE" },
        { name: "nav", data: t.nav, type: "DOUBLE" },
        { name: "secondary_price", data: t.secondaryPrice, type: "DOUBLE" },
      ],
    }),
  );
}

/**
 * Stores an upload: the raw file, and for each fund in it a new data version only when its data
 * hash is new (DESIGN.md section 5). A rejected upload stores nothing but its own record with the
 * problems found. Objects are written before the database commit and named by content, so a
 * retry rewrites the same bytes and a failed commit leaves nothing that any row points to.
 */
export async function storeUpload(
  deps: { db: Database; storage: ObjectStore },
  input: UploadInput,
): Promise<UploadOutcome> {
  const sha256 = sha256Hex(input.bytes);
  const fileHash = fileIdentityHash(input.orgId, input.filename);
  const record = (
    tx: Tx,
    status: string,
    format: string | null,
    problems: Problem[] | null,
    rawKey: string | null,
  ) =>
    tx.execute(sql`INSERT INTO funds.uploads (org_id, filename, file_identity_hash, sha256, size_bytes, format, status, problems, raw_key, uploaded_by)
      VALUES (${input.orgId}, ${input.filename.normalize("NFC").trim()}, ${fileHash}, ${sha256}, ${input.bytes.byteLength}, ${format}, ${status},
              ${problems ? JSON.stringify(problems) : null}::jsonb, ${rawKey}, ${input.uploadedBy}) RETURNING id`);

  const parsed =
    input.bytes.byteLength > MAX_UPLOAD_BYTES
      ? {
          ok: false as const,
          problems: [
            {
              sheet: "(file)",
              message: `the file is ${input.bytes.byteLength} bytes; the limit is ${MAX_UPLOAD_BYTES}`,
            },
          ],
        }
      : await parseWorkbook(
          input.bytes,
          input.knownSeries ? { knownSeries: input.knownSeries } : {},
        );
  if (!parsed.ok) {
    const id = await deps.db.withOrg(
      input.orgId,
      async (tx) => rowsOf(await record(tx, "rejected", null, parsed.problems, null))[0]?.id,
    );
    return { status: "rejected", uploadId: String(id), problems: parsed.problems };
  }

  const rawKey = `raw/${input.orgId}/${fileHash}/${sha256}.${parsed.format}`;
  await deps.storage.put(rawKey, input.bytes);
  const prepared: {
    name: string;
    fundHash: string;
    hash: string;
    parquetKey: string;
    weekly: WeeklyTable;
  }[] = [];
  for (const f of parsed.funds) {
    const weekly = toWeekly(f.rows);
    const fundHash = fundIdentityHash(input.orgId, input.filename, f.name);
    const hash = dataHash(hashColumns(weekly));
    const parquetKey = `processed-data/${input.orgId}/${fundHash}/${hash}.parquet`;
    await deps.storage.put(parquetKey, toParquet(weekly));
    prepared.push({ name: f.name, fundHash, hash, parquetKey, weekly });
  }

  return deps.db.withOrg(input.orgId, async (tx) => {
    const uploadId = String(
      rowsOf(await record(tx, "accepted", parsed.format, null, rawKey))[0]?.id,
    );
    const funds: StoredFund[] = [];
    for (const p of prepared) {
      await tx.execute(sql`INSERT INTO funds.fund_identities (org_id, fund_identity_hash, fund_name, filename, file_identity_hash)
        VALUES (${input.orgId}, ${p.fundHash}, ${p.name}, ${input.filename.normalize("NFC").trim()}, ${fileHash}) ON CONFLICT DO NOTHING`);
      // One writer per fund at a time: version numbers stay gapless and the same data is stored
      // once however many uploads of it race (the unique index backs this up).
      await tx.execute(
        sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${input.orgId}|${p.fundHash}`}, 0))`,
      );
      const existing = rowsOf(
        await tx.execute(sql`SELECT version_number FROM funds.fund_data_versions
          WHERE org_id = ${input.orgId} AND fund_identity_hash = ${p.fundHash} AND data_hash = ${p.hash}`),
      )[0];
      if (existing) {
        funds.push({
          name: p.name,
          fundIdentityHash: p.fundHash,
          dataHash: p.hash,
          versionNumber: Number(existing.version_number),
          isNew: false,
        });
        await tx.execute(sql`INSERT INTO funds.fund_events (org_id, fund_identity_hash, kind, detail)
          VALUES (${input.orgId}, ${p.fundHash}, 'same_data', ${JSON.stringify({ uploadId, versionNumber: Number(existing.version_number) })}::jsonb)`);
        continue;
      }
      const inserted = rowsOf(
        await tx.execute(sql`INSERT INTO funds.fund_data_versions
            (org_id, fund_identity_hash, version_number, data_hash, parquet_key, upload_id, weeks, first_week, last_week)
          SELECT ${input.orgId}, ${p.fundHash}, coalesce(max(version_number), 0) + 1, ${p.hash}, ${p.parquetKey}, ${uploadId},
                 ${p.weekly.week.length}, ${p.weekly.week[0]}::date, ${p.weekly.week[p.weekly.week.length - 1]}::date
          FROM funds.fund_data_versions WHERE org_id = ${input.orgId} AND fund_identity_hash = ${p.fundHash}
          RETURNING version_number`),
      )[0];
      const versionNumber = Number(inserted?.version_number);
      await tx.execute(sql`INSERT INTO funds.fund_events (org_id, fund_identity_hash, kind, detail)
        VALUES (${input.orgId}, ${p.fundHash}, ${versionNumber === 1 ? "created" : "new_version"}, ${JSON.stringify({ uploadId, versionNumber, dataHash: p.hash })}::jsonb)`);
      funds.push({
        name: p.name,
        fundIdentityHash: p.fundHash,
        dataHash: p.hash,
        versionNumber,
        isNew: true,
      });
    }
    return { status: "accepted", uploadId, funds };
  });
}
