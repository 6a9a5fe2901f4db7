import { evergreenIdentityHash, evergreenSubfundHash } from "@portal/hashing";
import type { Database } from "@portal/runtime";
import { rowsOf } from "@portal/runtime";
import { sql } from "drizzle-orm";
import { findFund } from "./aliases.js";

export interface EvergreenFund {
  readonly evergreenIdentityHash: string;
  readonly name: string;
  readonly members: { fundIdentityHash: string; subfundIdentityHash: string; name: string }[];
  /** False when the same definition (name and members) already existed. */
  readonly isNew: boolean;
}

/** Why an evergreen definition was refused, naming the field. */
export class EvergreenRejected extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Defines an evergreen fund from member funds of the organisation (DESIGN.md section 5): members
 * are resolved to their current identities, and the evergreen identity hash covers the name and
 * the sorted member hashes, so the same definition twice is one evergreen fund. Each member gets
 * a sub-fund identity hash and a fund event.
 */
export async function defineEvergreen(
  db: Database,
  input: { orgId: string; createdBy: string; name: string; memberHashes: string[] },
): Promise<EvergreenFund> {
  const name = input.name.normalize("NFC").trim();
  if (!name || name.length > 200 || name.includes("|"))
    throw new EvergreenRejected("name", "name must be 1-200 characters without |");
  if (input.memberHashes.length < 2)
    throw new EvergreenRejected(
      "member_fund_identity_hashes",
      "an evergreen fund needs at least two member funds",
    );
  return db.withOrg(input.orgId, async (tx) => {
    const members: EvergreenFund["members"] = [];
    for (const [i, h] of input.memberHashes.entries()) {
      const fund = /^[0-9a-f]{64}$/.test(h) ? await findFund(tx, h) : undefined;
      if (!fund)
        throw new EvergreenRejected(
          `member_fund_identity_hashes[${i}]`,
          `no fund ${h} in this organisation`,
        );
      if (members.some((m) => m.fundIdentityHash === fund.canonical))
        throw new EvergreenRejected(
          `member_fund_identity_hashes[${i}]`,
          `fund "${fund.name}" is listed twice`,
        );
      members.push({ fundIdentityHash: fund.canonical, subfundIdentityHash: "", name: fund.name });
    }
    const hash = evergreenIdentityHash(
      input.orgId,
      name,
      members.map((m) => m.fundIdentityHash),
    );
    for (const m of members)
      m.subfundIdentityHash = evergreenSubfundHash(input.orgId, hash, m.fundIdentityHash);
    const isNew =
      rowsOf(
        await tx.execute(sql`INSERT INTO funds.evergreen_funds (org_id, evergreen_identity_hash, name, created_by)
          VALUES (${input.orgId}, ${hash}, ${name}, ${input.createdBy}) ON CONFLICT DO NOTHING RETURNING name`),
      ).length > 0;
    if (isNew) {
      for (const m of members) {
        await tx.execute(sql`INSERT INTO funds.evergreen_fund_members (org_id, evergreen_identity_hash, fund_identity_hash, subfund_identity_hash)
          VALUES (${input.orgId}, ${hash}, ${m.fundIdentityHash}, ${m.subfundIdentityHash})`);
        await tx.execute(sql`INSERT INTO funds.fund_events (org_id, fund_identity_hash, kind, detail)
          VALUES (${input.orgId}, ${m.fundIdentityHash}, 'evergreen_member', ${JSON.stringify({ evergreenIdentityHash: hash, name })}::jsonb)`);
      }
    }
    members.sort((a, b) => (a.fundIdentityHash < b.fundIdentityHash ? -1 : 1));
    return { evergreenIdentityHash: hash, name, members, isNew };
  });
}

/** The organisation's evergreen funds with their members, by name. */
export async function listEvergreen(db: Database, orgId: string): Promise<EvergreenFund[]> {
  return db.withOrg(orgId, async (tx) => {
    const rows = rowsOf(
      await tx.execute(sql`SELECT e.evergreen_identity_hash, e.name, m.fund_identity_hash, m.subfund_identity_hash, f.fund_name
        FROM funds.evergreen_funds e
        JOIN funds.evergreen_fund_members m USING (org_id, evergreen_identity_hash)
        LEFT JOIN funds.fund_identities f ON f.org_id = m.org_id AND f.fund_identity_hash = m.fund_identity_hash
        ORDER BY e.name, e.evergreen_identity_hash, m.fund_identity_hash`),
    );
    const out = new Map<string, EvergreenFund>();
    for (const r of rows) {
      const hash = String(r.evergreen_identity_hash);
      let e = out.get(hash);
      if (!e) {
        e = { evergreenIdentityHash: hash, name: String(r.name), members: [], isNew: false };
        out.set(hash, e);
      }
      e.members.push({
        fundIdentityHash: String(r.fund_identity_hash),
        subfundIdentityHash: String(r.subfund_identity_hash),
        name: String(r.fund_name ?? ""),
      });
    }
    return [...out.values()];
  });
}
