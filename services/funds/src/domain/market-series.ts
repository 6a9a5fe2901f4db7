import { canonicalJson, sha256Hex } from "@portal/hashing";
import type { Database, Tx } from "@portal/runtime";
import { rowsOf } from "@portal/runtime";
import type { Problem, ReturnSeries } from "@portal/workbook";
import { parseReturnSeries } from "@portal/workbook";
import { sql } from "drizzle-orm";

export interface StoredSeries {
  readonly name: string;
  readonly frequency: "daily" | "weekly";
  readonly versionNumber: number;
  readonly dataHash: string;
  readonly firstDate: string;
  readonly lastDate: string;
  readonly points: number;
  /** False when the same data was already the series' version. */
  readonly isNew: boolean;
}

export type SeriesUploadOutcome =
  | { readonly status: "accepted"; readonly series: StoredSeries[] }
  | { readonly status: "rejected"; readonly problems: Problem[] };

/** Hash of a series' data: its frequency, dates and returns, as canonical JSON. */
export const seriesDataHash = (s: ReturnSeries): string =>
  sha256Hex(canonicalJson({ frequency: s.frequency, dates: s.dates, returns: s.returns }));

const isoDate = (v: unknown) =>
  v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);

/**
 * Stores an admin's upload of market and comparable return series: for each series, a new
 * version only when its data changed (numbered gaplessly per name, under a per-name lock). A file
 * with problems stores nothing.
 */
export async function storeMarketSeries(
  db: Database,
  input: { orgId: string; uploadedBy: string; bytes: Uint8Array },
): Promise<SeriesUploadOutcome> {
  const parsed = await parseReturnSeries(input.bytes);
  if (!parsed.ok) return { status: "rejected", problems: parsed.problems };
  return db.withOrg(input.orgId, async (tx) => {
    const out: StoredSeries[] = [];
    for (const s of parsed.series) {
      const hash = seriesDataHash(s);
      await tx.execute(
        sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${input.orgId}|series|${s.name}`}, 0))`,
      );
      const base = {
        name: s.name,
        frequency: s.frequency,
        dataHash: hash,
        firstDate: s.dates[0] as string,
        lastDate: s.dates[s.dates.length - 1] as string,
        points: s.dates.length,
      };
      const existing = rowsOf(
        await tx.execute(sql`SELECT version_number FROM funds.market_series
          WHERE name = ${s.name} AND data_hash = ${hash}`),
      )[0];
      if (existing) {
        out.push({ ...base, versionNumber: Number(existing.version_number), isNew: false });
        continue;
      }
      const inserted = rowsOf(
        await tx.execute(sql`INSERT INTO funds.market_series
            (org_id, name, frequency, version_number, data_hash, dates, returns, first_date, last_date, uploaded_by)
          SELECT ${input.orgId}, ${s.name}, ${s.frequency}, coalesce(max(version_number), 0) + 1, ${hash},
                 ${JSON.stringify(s.dates)}::jsonb, ${JSON.stringify(s.returns)}::jsonb,
                 ${base.firstDate}::date, ${base.lastDate}::date, ${input.uploadedBy}
          FROM funds.market_series WHERE name = ${s.name}
          RETURNING version_number`),
      )[0];
      out.push({ ...base, versionNumber: Number(inserted?.version_number), isNew: true });
    }
    return { status: "accepted", series: out };
  });
}

/** The organisation's series, each at its latest version, by name. */
export async function listMarketSeries(db: Database, orgId: string): Promise<StoredSeries[]> {
  const rows = await db.withOrg(orgId, async (tx) =>
    rowsOf(
      await tx.execute(sql`SELECT DISTINCT ON (name) name, frequency, version_number, data_hash,
          first_date, last_date, jsonb_array_length(dates) AS points
        FROM funds.market_series ORDER BY name, version_number DESC`),
    ),
  );
  return rows.map((r) => ({
    name: String(r.name),
    frequency: String(r.frequency) as "daily" | "weekly",
    versionNumber: Number(r.version_number),
    dataHash: String(r.data_hash),
    firstDate: isoDate(r.first_date),
    lastDate: isoDate(r.last_date),
    points: Number(r.points),
    isNew: false,
  }));
}

/** Names of the organisation's series, read inside its transaction. */
export async function seriesNames(tx: Tx): Promise<Set<string>> {
  return new Set(
    rowsOf(await tx.execute(sql`SELECT DISTINCT name FROM funds.market_series`)).map((r) =>
      String(r.name),
    ),
  );
}

/** The latest version of each named series, with its data. */
export async function loadSeries(tx: Tx, names: string[]): Promise<Map<string, ReturnSeries>> {
  if (names.length === 0) return new Map();
  const rows = rowsOf(
    await tx.execute(sql`SELECT DISTINCT ON (name) name, frequency, dates, returns
      FROM funds.market_series WHERE name IN (${sql.join(
        names.map((n) => sql`${n}`),
        sql`, `,
      )}) ORDER BY name, version_number DESC`),
  );
  return new Map(
    rows.map((r) => [
      String(r.name),
      {
        name: String(r.name),
        frequency: String(r.frequency) as "daily" | "weekly",
        dates: r.dates as string[],
        returns: r.returns as number[],
      },
    ]),
  );
}
