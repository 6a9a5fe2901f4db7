import type { Database } from "@portal/runtime";
import { rowsOf } from "@portal/runtime";
import { sql } from "drizzle-orm";
import { loadAliases, resolveAlias } from "./aliases.js";

export interface FundListing {
  readonly fundIdentityHash: string;
  readonly name: string;
  readonly filename: string;
  readonly latestVersion: number;
  readonly latestDataHash: string;
  readonly firstWeek: string;
  readonly lastWeek: string;
}

export const isoDate = (v: unknown): string =>
  v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);

/**
 * One page of an organisation's funds with their latest version, ordered by name then hash. A
 * renamed fund is listed once, under its current identity (file name), with the latest version
 * of its whole lineage.
 */
export async function listFunds(
  db: Database,
  orgId: string,
  page: { limit: number; offset: number },
): Promise<FundListing[]> {
  const { identities, aliases, latest } = await db.withOrg(orgId, async (tx) => ({
    identities: rowsOf(
      await tx.execute(
        sql`SELECT fund_identity_hash, fund_name, filename FROM funds.fund_identities`,
      ),
    ),
    aliases: await loadAliases(tx),
    latest: rowsOf(
      await tx.execute(sql`SELECT DISTINCT ON (fund_identity_hash)
          fund_identity_hash, version_number, data_hash, first_week, last_week
        FROM funds.fund_data_versions ORDER BY fund_identity_hash, version_number DESC`),
    ),
  }));
  const best = new Map<string, (typeof latest)[number]>();
  for (const v of latest) {
    const canonical = resolveAlias(aliases, String(v.fund_identity_hash)).hash;
    const seen = best.get(canonical);
    if (!seen || Number(v.version_number) > Number(seen.version_number)) best.set(canonical, v);
  }
  const funds: FundListing[] = [];
  for (const f of identities) {
    const hash = String(f.fund_identity_hash);
    const v = best.get(hash);
    if (!v || aliases.has(hash)) continue;
    funds.push({
      fundIdentityHash: hash,
      name: String(f.fund_name),
      filename: String(f.filename),
      latestVersion: Number(v.version_number),
      latestDataHash: String(v.data_hash),
      firstWeek: isoDate(v.first_week),
      lastWeek: isoDate(v.last_week),
    });
  }
  funds.sort((a, b) =>
    a.name !== b.name
      ? a.name < b.name
        ? -1
        : 1
      : a.fundIdentityHash < b.fundIdentityHash
        ? -1
        : 1,
  );
  return funds.slice(page.offset, page.offset + page.limit);
}
