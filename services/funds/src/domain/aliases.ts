import type { Tx } from "@portal/runtime";
import { rowsOf } from "@portal/runtime";
import { sql } from "drizzle-orm";

/**
 * Longest alias chain followed. Each rename of a file adds one link, so a fund renamed more often
 * than this resolves to the identity it reached at the limit (and says so); the seed stopped at 5,
 * which a fund renamed every year outgrows.
 */
export const MAX_ALIAS_DEPTH = 32;

export interface Resolved {
  /** The identity the chain leads to (the fund's current identity). */
  readonly hash: string;
  /** Links followed. */
  readonly hops: number;
  /** Why resolution stopped early: a link back into the chain, or the depth limit. */
  readonly stopped?: "cycle" | "depth";
}

/**
 * Follows old → new aliases from `hash` to the identity the fund now has. Pure: `aliases` maps
 * each old identity to its successor. A cycle (which the store never writes, but a hand-edited
 * database might hold) stops at the last identity before the repeat.
 */
export function resolveAlias(
  aliases: ReadonlyMap<string, string>,
  hash: string,
  maxDepth = MAX_ALIAS_DEPTH,
): Resolved {
  const seen = new Set([hash]);
  let current = hash;
  for (let hops = 0; ; hops++) {
    const next = aliases.get(current);
    if (next === undefined) return { hash: current, hops };
    if (seen.has(next)) return { hash: current, hops, stopped: "cycle" };
    if (hops >= maxDepth) return { hash: current, hops, stopped: "depth" };
    seen.add(next);
    current = next;
  }
}

/** Every identity that resolves to `canonical`, the canonical one first: one fund's lineage. */
export function lineageOf(
  aliases: ReadonlyMap<string, string>,
  identities: Iterable<string>,
  canonical: string,
): string[] {
  const out = [canonical];
  for (const h of identities) {
    if (h !== canonical && resolveAlias(aliases, h).hash === canonical) out.push(h);
  }
  return out;
}

/** The organisation's aliases (old → new), read inside its transaction. */
export async function loadAliases(tx: Tx): Promise<Map<string, string>> {
  const rows = rowsOf(await tx.execute(sql`SELECT old_hash, new_hash FROM funds.fund_aliases`));
  return new Map(rows.map((r) => [String(r.old_hash), String(r.new_hash)]));
}

/** A fund's current identity and lineage, for an identity hash of the organisation (or undefined). */
export async function findFund(
  tx: Tx,
  hash: string,
): Promise<{ canonical: string; lineage: string[]; name: string; filename: string } | undefined> {
  const aliases = await loadAliases(tx);
  const canonical = resolveAlias(aliases, hash).hash;
  const ids = rowsOf(
    await tx.execute(
      sql`SELECT fund_identity_hash, fund_name, filename FROM funds.fund_identities`,
    ),
  );
  const own = ids.find((r) => String(r.fund_identity_hash) === canonical);
  if (!own) return undefined;
  return {
    canonical,
    lineage: lineageOf(
      aliases,
      ids.map((r) => String(r.fund_identity_hash)),
      canonical,
    ),
    name: String(own.fund_name),
    filename: String(own.filename),
  };
}
