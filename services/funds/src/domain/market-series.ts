import { canonicalJson, sha256Hex } from "@portal/hashing";
import type { Database, ObjectStore, Tx } from "@portal/runtime";
import { rowsOf } from "@portal/runtime";
import type { Problem, ReturnSeries } from "@portal/workbook";
import { detectFormat, parseReturnSeries } from "@portal/workbook";
import { sql } from "drizzle-orm";
import { loadAliases, resolveAlias } from "./aliases.js";
import type { MarketConfig } from "./market-config.js";
import type { InputOutcome } from "./model-input.js";
import { refreshModelInputs } from "./model-input.js";
import { MAX_UPLOAD_BYTES, recordRejected, recordUpload, tooLargeMessage } from "./upload-audit.js";

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
  | {
      readonly status: "accepted";
      readonly uploadId: string;
      readonly series: StoredSeries[];
      /** Model inputs rewritten because a fund's market config names a series with a new version. */
      readonly modelInputs: InputOutcome[];
    }
  | { readonly status: "rejected"; readonly uploadId: string; readonly problems: Problem[] };

/** Hash of a series' data: its frequency, dates and returns, as canonical JSON. */
export const seriesDataHash = (s: ReturnSeries): string =>
  sha256Hex(canonicalJson({ frequency: s.frequency, dates: s.dates, returns: s.returns }));

const isoDate = (v: unknown) =>
  v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);

/**
 * Stores an admin's upload of market and comparable return series: for each series, a new
 * version only when its data changed (numbered gaplessly per name, under a per-name lock). Every
 * upload leaves its audit record (funds.uploads, kind `market_series`); a file with problems stores
 * nothing else. When a series gains a version, the model inputs of every fund whose market config
 * names it are rewritten in the same transaction (their data hash, and so their key, is unchanged;
 * docs/funds.md "Model inputs").
 */
export async function storeMarketSeries(
  deps: { db: Database; storage: ObjectStore },
  input: { orgId: string; uploadedBy: string; filename?: string; bytes: Uint8Array },
): Promise<SeriesUploadOutcome> {
  const audit = {
    orgId: input.orgId,
    uploadedBy: input.uploadedBy,
    kind: "market_series" as const,
    filename: input.filename ?? "",
    sha256: sha256Hex(input.bytes),
    sizeBytes: input.bytes.byteLength,
  };
  const parsed =
    input.bytes.byteLength > MAX_UPLOAD_BYTES
      ? {
          ok: false as const,
          problems: [{ sheet: "(file)", message: tooLargeMessage(input.bytes.byteLength) }],
        }
      : await parseReturnSeries(input.bytes);
  if (!parsed.ok) {
    const uploadId = await recordRejected(deps.db, {
      ...audit,
      format: null,
      problems: parsed.problems,
    });
    return { status: "rejected", uploadId, problems: parsed.problems };
  }
  return deps.db.withOrg(input.orgId, async (tx) => {
    const uploadId = await recordUpload(tx, {
      ...audit,
      format: detectFormat(input.bytes) ?? null,
      status: "accepted",
      problems: null,
      rawKey: null,
    });
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
    const changed = new Set(out.filter((x) => x.isNew).map((x) => x.name));
    const modelInputs: InputOutcome[] = [];
    for (const fund of await fundsUsing(tx, changed))
      modelInputs.push(...(await refreshModelInputs(tx, deps.storage, input.orgId, fund)));
    return { status: "accepted", uploadId, series: out, modelInputs };
  });
}

/**
 * The current identities of the funds whose market config names any of `names` (as market or
 * comparable series, in any regime), in a stable order.
 */
export async function fundsUsing(tx: Tx, names: ReadonlySet<string>): Promise<string[]> {
  if (names.size === 0) return [];
  const rows = rowsOf(
    await tx.execute(sql`SELECT fund_identity_hash, config FROM funds.fund_market_configs`),
  );
  const aliases = await loadAliases(tx);
  const out = new Set<string>();
  for (const r of rows) {
    const config = r.config as MarketConfig;
    if (
      config.regimes.some((g) => names.has(g.market) || (g.comparable && names.has(g.comparable)))
    )
      out.add(resolveAlias(aliases, String(r.fund_identity_hash)).hash);
  }
  return [...out].sort();
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
