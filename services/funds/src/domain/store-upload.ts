import { dataHash, fileIdentityHash, fundIdentityHash, sha256Hex } from "@portal/hashing";
import type { Database, ObjectStore, Tx } from "@portal/runtime";
import { rowsOf } from "@portal/runtime";
import type { Problem } from "@portal/workbook";
import { parseWorkbook } from "@portal/workbook";
import { sql } from "drizzle-orm";
import { parquetWriteBuffer } from "hyparquet-writer";
import { lineageOf, resolveAlias } from "./aliases.js";
import { setMarketConfig } from "./market-config.js";
import { seriesNames } from "./market-series.js";
import type { WeeklyTable } from "./weekly.js";
import { hashColumns, toWeekly } from "./weekly.js";

/** Uploads larger than this are refused before they are read. */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

export interface UploadInput {
  readonly orgId: string;
  readonly uploadedBy: string;
  readonly filename: string;
  readonly bytes: Uint8Array;
  /** Series names the organisation has (for the Market sheet); unset reads them from the database. */
  readonly knownSeries?: ReadonlySet<string>;
}

export interface StoredFund {
  readonly name: string;
  readonly fundIdentityHash: string;
  readonly dataHash: string;
  readonly versionNumber: number;
  /** False when this data was already stored: the existing version is returned. */
  readonly isNew: boolean;
  /** The identity this fund had before this upload renamed it (its file name changed). */
  readonly renamedFrom?: string;
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
      : await parseWorkbook(input.bytes, {
          knownSeries:
            input.knownSeries ?? (await deps.db.withOrg(input.orgId, (tx) => seriesNames(tx))),
        });
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

  const filename = input.filename.normalize("NFC").trim();
  return deps.db.withOrg(input.orgId, async (tx) => {
    const uploadId = String(
      rowsOf(await record(tx, "accepted", parsed.format, null, rawKey))[0]?.id,
    );
    const funds: StoredFund[] = [];
    for (const p of prepared) {
      funds.push(await storeFund(tx, { orgId: input.orgId, uploadId, filename, fileHash }, p));
    }
    for (const m of parsed.market) {
      const fund = funds.find((f) => f.name === m.fund);
      if (!fund) continue;
      await setMarketConfig(tx, {
        orgId: input.orgId,
        fundIdentityHash: fund.fundIdentityHash,
        config: { regimes: [{ from: null, market: m.market, comparable: m.comparable }] },
        changedBy: input.uploadedBy,
        source: "upload",
      });
    }
    return { status: "accepted", uploadId, funds };
  });
}

const event = (tx: Tx, orgId: string, fundHash: string, kind: string, detail: object) =>
  tx.execute(sql`INSERT INTO funds.fund_events (org_id, fund_identity_hash, kind, detail)
    VALUES (${orgId}, ${fundHash}, ${kind}, ${JSON.stringify(detail)}::jsonb)`);

/**
 * Stores one fund of an accepted upload inside the upload's transaction. A fund name new to this
 * file name but known under exactly one other (current) file name is that fund renamed: an alias
 * old → new is recorded and the fund's versions carry on, numbered after the old ones (seed
 * section 12, steps 5-8). Versions are deduplicated and numbered over the whole lineage.
 */
async function storeFund(
  tx: Tx,
  up: { orgId: string; uploadId: string; filename: string; fileHash: string },
  p: { name: string; fundHash: string; hash: string; parquetKey: string; weekly: WeeklyTable },
): Promise<StoredFund> {
  // One writer per fund name at a time: a lineage shares its name (renames are found by name),
  // so version numbers stay gapless and the same data is stored once however many uploads race
  // (the unique index backs this up).
  await tx.execute(
    sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${up.orgId}|name|${p.name}`}, 0))`,
  );
  const created =
    rowsOf(
      await tx.execute(sql`INSERT INTO funds.fund_identities (org_id, fund_identity_hash, fund_name, filename, file_identity_hash)
        VALUES (${up.orgId}, ${p.fundHash}, ${p.name}, ${up.filename}, ${up.fileHash}) ON CONFLICT DO NOTHING
        RETURNING fund_identity_hash`),
    ).length > 0;
  let renamedFrom: string | undefined;
  if (created) {
    const current = rowsOf(
      await tx.execute(sql`SELECT i.fund_identity_hash, i.filename FROM funds.fund_identities i
        WHERE i.fund_name = ${p.name} AND i.fund_identity_hash <> ${p.fundHash}
          AND NOT EXISTS (SELECT 1 FROM funds.fund_aliases a WHERE a.org_id = i.org_id AND a.old_hash = i.fund_identity_hash)
        ORDER BY i.created_at`),
    );
    const only = current.length === 1 ? current[0] : undefined;
    if (only) {
      renamedFrom = String(only.fund_identity_hash);
      await tx.execute(sql`INSERT INTO funds.fund_aliases (org_id, old_hash, new_hash, reason, upload_id)
        VALUES (${up.orgId}, ${renamedFrom}, ${p.fundHash}, 'file_rename', ${up.uploadId})`);
      const detail = {
        uploadId: up.uploadId,
        from: renamedFrom,
        to: p.fundHash,
        fromFilename: String(only.filename),
        toFilename: up.filename,
      };
      await event(tx, up.orgId, renamedFrom, "renamed", detail);
      await event(tx, up.orgId, p.fundHash, "renamed", detail);
    } else if (current.length > 1) {
      // Several current funds of this name in other files: which one was renamed is a guess we
      // don't make. Recorded, so the history shows why no alias was made.
      await event(tx, up.orgId, p.fundHash, "rename_ambiguous", {
        uploadId: up.uploadId,
        candidates: current.map((r) => ({
          hash: String(r.fund_identity_hash),
          filename: String(r.filename),
        })),
      });
    }
  }
  // A lineage shares its fund name, so the aliases among this name's identities are all it needs.
  const aliases = new Map(
    rowsOf(
      await tx.execute(sql`SELECT a.old_hash, a.new_hash FROM funds.fund_aliases a
        JOIN funds.fund_identities i ON i.org_id = a.org_id AND i.fund_identity_hash = a.old_hash
        WHERE i.fund_name = ${p.name}`),
    ).map((r) => [String(r.old_hash), String(r.new_hash)]),
  );
  const canonical = resolveAlias(aliases, p.fundHash).hash;
  const lineage = lineageOf(aliases, aliases.keys(), canonical);
  const inLineage = sql.join(
    lineage.map((h) => sql`${h}`),
    sql`, `,
  );
  const stored = (versionNumber: number, isNew: boolean): StoredFund => ({
    name: p.name,
    fundIdentityHash: canonical,
    dataHash: p.hash,
    versionNumber,
    isNew,
    ...(renamedFrom ? { renamedFrom } : {}),
  });
  // The same data anywhere in the lineage is that version; otherwise the next number. One
  // statement: the insert happens only when no version has this data hash.
  const outcome = rowsOf(
    await tx.execute(sql`WITH existing AS (
        SELECT version_number FROM funds.fund_data_versions
        WHERE fund_identity_hash IN (${inLineage}) AND data_hash = ${p.hash}
      ), inserted AS (
        INSERT INTO funds.fund_data_versions
          (org_id, fund_identity_hash, version_number, data_hash, parquet_key, upload_id, weeks, first_week, last_week)
        SELECT ${up.orgId}, ${canonical}, coalesce(max(version_number), 0) + 1, ${p.hash}, ${p.parquetKey}, ${up.uploadId},
               ${p.weekly.week.length}, ${p.weekly.week[0]}::date, ${p.weekly.week[p.weekly.week.length - 1]}::date
        FROM funds.fund_data_versions WHERE fund_identity_hash IN (${inLineage})
        HAVING NOT EXISTS (SELECT 1 FROM existing)
        RETURNING version_number
      )
      SELECT version_number, false AS is_new FROM existing
      UNION ALL SELECT version_number, true AS is_new FROM inserted`),
  )[0];
  if (!outcome) throw new Error(`fund ${canonical}: no version found or stored`);
  if (outcome.is_new !== true) {
    const versionNumber = Number(outcome.version_number);
    await event(tx, up.orgId, canonical, "same_data", { uploadId: up.uploadId, versionNumber });
    return stored(versionNumber, false);
  }
  const inserted = outcome;
  const versionNumber = Number(inserted?.version_number);
  await event(tx, up.orgId, canonical, versionNumber === 1 ? "created" : "new_version", {
    uploadId: up.uploadId,
    versionNumber,
    dataHash: p.hash,
  });
  return stored(versionNumber, true);
}
