import type { Database, ObjectStore, Tx } from "@portal/runtime";
import { rowsOf } from "@portal/runtime";
import { sql } from "drizzle-orm";
import { parquetReadObjects } from "hyparquet";
import { findFund } from "./aliases.js";
import { isoDate } from "./list-funds.js";
import type { WeeklyTable } from "./weekly.js";

/** A fund as a query names it: its current identity and every identity it has had. */
export interface FundRef {
  readonly canonical: string;
  readonly lineage: string[];
  readonly name: string;
  readonly filename: string;
}

export interface VersionInfo {
  readonly versionNumber: number;
  readonly dataHash: string;
  /** The identity the version was stored under (a renamed fund's older versions keep theirs). */
  readonly fundIdentityHash: string;
  readonly uploadId: string;
  readonly weeks: number;
  readonly firstWeek: string;
  readonly lastWeek: string;
  readonly createdAt: string;
  readonly parquetKey: string;
}

export interface FundEvent {
  readonly fundIdentityHash: string;
  readonly kind: string;
  readonly detail: unknown;
  readonly createdAt: string;
}

const inList = (hashes: string[]) =>
  sql.join(
    hashes.map((h) => sql`${h}`),
    sql`, `,
  );

async function versionsOf(tx: Tx, lineage: string[]): Promise<VersionInfo[]> {
  const rows = rowsOf(
    await tx.execute(sql`SELECT version_number, data_hash, fund_identity_hash, upload_id, weeks,
        first_week, last_week, created_at, parquet_key
      FROM funds.fund_data_versions WHERE fund_identity_hash IN (${inList(lineage)})
      ORDER BY version_number`),
  );
  return rows.map((r) => ({
    versionNumber: Number(r.version_number),
    dataHash: String(r.data_hash),
    fundIdentityHash: String(r.fund_identity_hash),
    uploadId: String(r.upload_id),
    weeks: Number(r.weeks),
    firstWeek: isoDate(r.first_week),
    lastWeek: isoDate(r.last_week),
    createdAt: new Date(r.created_at as string).toISOString(),
    parquetKey: String(r.parquet_key),
  }));
}

/** A fund's version history over its whole lineage (renames included), oldest first. */
export async function fundVersions(
  db: Database,
  orgId: string,
  hash: string,
): Promise<{ fund: FundRef; versions: VersionInfo[] } | undefined> {
  return db.withOrg(orgId, async (tx) => {
    const fund = await findFund(tx, hash);
    return fund ? { fund, versions: await versionsOf(tx, fund.lineage) } : undefined;
  });
}

/** What happened to a fund, in order, over its whole lineage: created, versions, renames, configs. */
export async function fundEvents(
  db: Database,
  orgId: string,
  hash: string,
): Promise<{ fund: FundRef; events: FundEvent[] } | undefined> {
  return db.withOrg(orgId, async (tx) => {
    const fund = await findFund(tx, hash);
    if (!fund) return undefined;
    const rows = rowsOf(
      await tx.execute(sql`SELECT fund_identity_hash, kind, detail, created_at FROM funds.fund_events
        WHERE fund_identity_hash IN (${inList(fund.lineage)}) ORDER BY id`),
    );
    // A rename is recorded on both identities; it happened once.
    const seen = new Set<string>();
    const events: FundEvent[] = [];
    for (const r of rows) {
      const key = `${String(r.kind)}|${JSON.stringify(r.detail)}`;
      if (String(r.kind) === "renamed" && seen.has(key)) continue;
      seen.add(key);
      events.push({
        fundIdentityHash: String(r.fund_identity_hash),
        kind: String(r.kind),
        detail: r.detail,
        createdAt: new Date(r.created_at as string).toISOString(),
      });
    }
    return { fund, events };
  });
}

/** Reads a version's canonical weekly table back from its Parquet object. */
export async function readWeekly(storage: ObjectStore, key: string): Promise<WeeklyTable> {
  const bytes = await storage.get(key);
  const rows = (await parquetReadObjects({
    file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  })) as {
    week: string;
    contribution: number;
    distribution: number;
    nav: number | null;
    secondary_price: number | null;
  }[];
  return {
    week: rows.map((r) => r.week),
    contribution: rows.map((r) => r.contribution),
    distribution: rows.map((r) => r.distribution),
    nav: rows.map((r) => r.nav ?? null),
    secondaryPrice: rows.map((r) => r.secondary_price ?? null),
  };
}

/**
 * One version of a fund (0 for the latest), with its canonical weekly series read from Parquet.
 * Undefined when the fund or the version is not the organisation's.
 */
export async function fundSeries(
  deps: { db: Database; storage: ObjectStore },
  orgId: string,
  hash: string,
  versionNumber: number,
): Promise<{ fund: FundRef; version: VersionInfo; weekly: WeeklyTable } | undefined> {
  const found = await fundVersions(deps.db, orgId, hash);
  if (!found) return undefined;
  const version =
    versionNumber === 0
      ? found.versions.at(-1)
      : found.versions.find((v) => v.versionNumber === versionNumber);
  if (!version) return undefined;
  return { fund: found.fund, version, weekly: await readWeekly(deps.storage, version.parquetKey) };
}
