import type { Tx } from "@portal/runtime";
import { rowsOf } from "@portal/runtime";
import type { SQL } from "drizzle-orm";
import { sql } from "drizzle-orm";
import { lineageOf, resolveAlias } from "./aliases.js";
import type { WeeklyTable } from "./weekly.js";

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

/** One fund of an accepted upload, its objects already written. */
export interface PreparedFund {
  readonly name: string;
  readonly fundHash: string;
  readonly hash: string;
  readonly parquetKey: string;
  readonly weekly: WeeklyTable;
}

export interface UploadRef {
  readonly orgId: string;
  readonly uploadId: string;
  readonly filename: string;
  readonly fileHash: string;
}

const list = (xs: string[]): SQL =>
  sql.join(
    xs.map((x) => sql`${x}`),
    sql`, `,
  );
const rows = (xs: SQL[]): SQL => sql.join(xs, sql`, `);

/**
 * Stores the funds of an accepted upload inside its transaction, in a fixed number of statements
 * however many funds the file has (a 200-fund upload would otherwise make thousands of round
 * trips).
 *
 * - One writer per fund name at a time (advisory locks, taken in sorted order so two uploads
 *   never deadlock): a lineage shares its name (renames are found by name), so version numbers
 *   stay gapless and the same data is stored once however many uploads race; the unique indexes
 *   back this up.
 * - A fund name new to this file name but known under exactly one other current file name is
 *   that fund renamed: an alias old → new is recorded and the fund's versions carry on (seed
 *   section 12, steps 5-8). Several candidates: no guess, a `rename_ambiguous` event.
 * - Versions are deduplicated and numbered over the whole lineage.
 */
export async function storeFunds(
  tx: Tx,
  up: UploadRef,
  funds: PreparedFund[],
): Promise<StoredFund[]> {
  if (funds.length === 0) return [];
  const names = [...new Set(funds.map((f) => f.name))];
  const lockKeys = names.map((n) => `${up.orgId}|name|${n}`).sort();
  await tx.execute(sql`SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0)))
    FROM (SELECT k FROM (VALUES ${rows(lockKeys.map((k) => sql`(${k})`))}) AS t(k) ORDER BY k OFFSET 0) AS s`);

  const created = new Set(
    rowsOf(
      await tx.execute(sql`INSERT INTO funds.fund_identities (org_id, fund_identity_hash, fund_name, filename, file_identity_hash)
        VALUES ${rows(funds.map((f) => sql`(${up.orgId}, ${f.fundHash}, ${f.name}, ${up.filename}, ${up.fileHash})`))}
        ON CONFLICT DO NOTHING RETURNING fund_identity_hash`),
    ).map((r) => String(r.fund_identity_hash)),
  );

  const events: SQL[] = [];
  const event = (fundHash: string, kind: string, detail: object) =>
    events.push(sql`(${up.orgId}, ${fundHash}, ${kind}, ${JSON.stringify(detail)}::jsonb)`);

  // Renames: current identities (no alias out) of the new funds' names, under other file names.
  const renamedFrom = new Map<string, string>();
  const fresh = funds.filter((f) => created.has(f.fundHash));
  if (fresh.length > 0) {
    const current = rowsOf(
      await tx.execute(sql`SELECT i.fund_name, i.fund_identity_hash, i.filename FROM funds.fund_identities i
        WHERE i.fund_name IN (${list(fresh.map((f) => f.name))}) AND i.filename <> ${up.filename}
          AND NOT EXISTS (SELECT 1 FROM funds.fund_aliases a WHERE a.org_id = i.org_id AND a.old_hash = i.fund_identity_hash)
        ORDER BY i.created_at, i.fund_identity_hash`),
    );
    const aliases: SQL[] = [];
    for (const f of fresh) {
      const candidates = current.filter((r) => String(r.fund_name) === f.name);
      const only = candidates.length === 1 ? candidates[0] : undefined;
      if (only) {
        const from = String(only.fund_identity_hash);
        renamedFrom.set(f.fundHash, from);
        aliases.push(sql`(${up.orgId}, ${from}, ${f.fundHash}, 'file_rename', ${up.uploadId})`);
        const detail = {
          uploadId: up.uploadId,
          from,
          to: f.fundHash,
          fromFilename: String(only.filename),
          toFilename: up.filename,
        };
        event(from, "renamed", detail);
        event(f.fundHash, "renamed", detail);
      } else if (candidates.length > 1) {
        event(f.fundHash, "rename_ambiguous", {
          uploadId: up.uploadId,
          candidates: candidates.map((r) => ({
            hash: String(r.fund_identity_hash),
            filename: String(r.filename),
          })),
        });
      }
    }
    if (aliases.length > 0)
      await tx.execute(
        sql`INSERT INTO funds.fund_aliases (org_id, old_hash, new_hash, reason, upload_id) VALUES ${rows(aliases)}`,
      );
  }

  // A lineage shares its fund name, so the aliases among these names' identities are all it needs.
  const aliasMap = new Map(
    rowsOf(
      await tx.execute(sql`SELECT a.old_hash, a.new_hash FROM funds.fund_aliases a
        JOIN funds.fund_identities i ON i.org_id = a.org_id AND i.fund_identity_hash = a.old_hash
        WHERE i.fund_name IN (${list(names)})`),
    ).map((r) => [String(r.old_hash), String(r.new_hash)]),
  );
  const lineages = funds.map((f) => {
    const canonical = resolveAlias(aliasMap, f.fundHash).hash;
    return { canonical, lineage: lineageOf(aliasMap, aliasMap.keys(), canonical) };
  });
  const versions = rowsOf(
    await tx.execute(sql`SELECT fund_identity_hash, data_hash, version_number FROM funds.fund_data_versions
      WHERE fund_identity_hash IN (${list([...new Set(lineages.flatMap((l) => l.lineage))])})`),
  ).map((r) => ({
    hash: String(r.fund_identity_hash),
    data: String(r.data_hash),
    n: Number(r.version_number),
  }));

  const out: StoredFund[] = [];
  const inserts: SQL[] = [];
  const next = new Map<string, number>();
  funds.forEach((f, i) => {
    const { canonical, lineage } = lineages[i] as (typeof lineages)[number];
    const own = versions.filter((v) => lineage.includes(v.hash));
    const same = own.find((v) => v.data === f.hash);
    const base = {
      name: f.name,
      fundIdentityHash: canonical,
      dataHash: f.hash,
      ...(renamedFrom.has(f.fundHash)
        ? { renamedFrom: renamedFrom.get(f.fundHash) as string }
        : {}),
    };
    if (same) {
      event(canonical, "same_data", { uploadId: up.uploadId, versionNumber: same.n });
      out.push({ ...base, versionNumber: same.n, isNew: false });
      return;
    }
    const n = (next.get(canonical) ?? Math.max(0, ...own.map((v) => v.n))) + 1;
    next.set(canonical, n);
    const w = f.weekly;
    inserts.push(
      sql`(${up.orgId}, ${canonical}, ${n}, ${f.hash}, ${f.parquetKey}, ${up.uploadId}, ${w.week.length}, ${w.week[0]}::date, ${w.week[w.week.length - 1]}::date)`,
    );
    event(canonical, n === 1 ? "created" : "new_version", {
      uploadId: up.uploadId,
      versionNumber: n,
      dataHash: f.hash,
    });
    out.push({ ...base, versionNumber: n, isNew: true });
  });
  if (inserts.length > 0)
    await tx.execute(sql`INSERT INTO funds.fund_data_versions
        (org_id, fund_identity_hash, version_number, data_hash, parquet_key, upload_id, weeks, first_week, last_week)
      VALUES ${rows(inserts)}`);
  if (events.length > 0)
    await tx.execute(
      sql`INSERT INTO funds.fund_events (org_id, fund_identity_hash, kind, detail) VALUES ${rows(events)}`,
    );
  return out;
}
