import type { Database } from "@portal/runtime";
import { rowsOf } from "@portal/runtime";
import { sql } from "drizzle-orm";

export interface FundListing {
  readonly fundIdentityHash: string;
  readonly name: string;
  readonly filename: string;
  readonly latestVersion: number;
  readonly latestDataHash: string;
  readonly firstWeek: string;
  readonly lastWeek: string;
}

const isoDate = (v: unknown) =>
  v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);

/** One page of an organisation's funds with their latest version, ordered by name then hash. */
export async function listFunds(
  db: Database,
  orgId: string,
  page: { limit: number; offset: number },
): Promise<FundListing[]> {
  const rows = await db.withOrg(orgId, async (tx) =>
    rowsOf(
      await tx.execute(sql`SELECT DISTINCT ON (f.fund_name, f.fund_identity_hash)
          f.fund_identity_hash, f.fund_name, f.filename, v.version_number, v.data_hash, v.first_week, v.last_week
        FROM funds.fund_identities f JOIN funds.fund_data_versions v USING (org_id, fund_identity_hash)
        ORDER BY f.fund_name, f.fund_identity_hash, v.version_number DESC
        LIMIT ${page.limit} OFFSET ${page.offset}`),
    ),
  );
  return rows.map((r) => ({
    fundIdentityHash: String(r.fund_identity_hash),
    name: String(r.fund_name),
    filename: String(r.filename),
    latestVersion: Number(r.version_number),
    latestDataHash: String(r.data_hash),
    firstWeek: isoDate(r.first_week),
    lastWeek: isoDate(r.last_week),
  }));
}
