import { marketConfigHash } from "@portal/hashing";
import type { Tx } from "@portal/runtime";
import { rowsOf } from "@portal/runtime";
import { sql } from "drizzle-orm";

/** One regime: from `from` (inclusive; null for "since the fund's start") until the next one's. */
export interface Regime {
  readonly from: string | null;
  readonly market: string;
  readonly comparable: string | null;
}

/** Which series a fund is measured against, by date range. */
export interface MarketConfig {
  readonly regimes: Regime[];
}

export interface ConfigProblem {
  readonly field: string;
  readonly message: string;
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;
const isDate = (s: string) => {
  const ms = Date.parse(`${s}T00:00:00Z`);
  return ISO.test(s) && !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === s;
};

/**
 * Checks a market config: at least one regime, only the first may start at the fund's start
 * (from = null), later ones on strictly increasing calendar dates, and every series one the
 * organisation has uploaded. Every problem is returned, each naming its field.
 */
export function checkMarketConfig(c: MarketConfig, known: ReadonlySet<string>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (c.regimes.length === 0)
    problems.push({ field: "regimes", message: "at least one regime is needed" });
  let prev: string | null = null;
  c.regimes.forEach((r, i) => {
    const at = `regimes[${i}]`;
    if (r.from === null) {
      if (i > 0)
        problems.push({
          field: `${at}.from`,
          message: "only the first regime may start at the fund's start",
        });
    } else if (!isDate(r.from)) {
      problems.push({
        field: `${at}.from`,
        message: `"${r.from}" is not a calendar date (YYYY-MM-DD)`,
      });
    } else {
      if (prev !== null && r.from <= prev)
        problems.push({
          field: `${at}.from`,
          message: `${r.from} is not after the previous regime's ${prev}`,
        });
      prev = r.from;
    }
    if (!r.market) problems.push({ field: `${at}.market`, message: "market series is missing" });
    for (const [f, s] of [
      ["market", r.market],
      ["comparable", r.comparable],
    ] as const) {
      if (s && !known.has(s))
        problems.push({
          field: `${at}.${f}`,
          message: `unknown series "${s}": upload it as market data first`,
        });
    }
  });
  return problems;
}

/** The config as hashed and stored: regimes as given, comparable null when absent. */
export const normaliseConfig = (c: MarketConfig): MarketConfig => ({
  regimes: c.regimes.map((r) => ({
    from: r.from,
    market: r.market,
    comparable: r.comparable || null,
  })),
});

/**
 * Sets a fund's market config inside the caller's transaction: the current config is replaced and
 * the history gains a row, unless the config hash is unchanged (then nothing is written).
 */
export async function setMarketConfig(
  tx: Tx,
  input: {
    orgId: string;
    fundIdentityHash: string;
    config: MarketConfig;
    changedBy: string;
    source: "api" | "upload";
  },
): Promise<{ configHash: string; changed: boolean }> {
  const config = normaliseConfig(input.config);
  const configHash = marketConfigHash(config);
  const current = rowsOf(
    await tx.execute(sql`SELECT config_hash FROM funds.fund_market_configs
      WHERE fund_identity_hash = ${input.fundIdentityHash} FOR UPDATE`),
  )[0];
  if (current && String(current.config_hash) === configHash) return { configHash, changed: false };
  const json = JSON.stringify(config);
  await tx.execute(sql`INSERT INTO funds.fund_market_configs (org_id, fund_identity_hash, config, config_hash, updated_by)
    VALUES (${input.orgId}, ${input.fundIdentityHash}, ${json}::jsonb, ${configHash}, ${input.changedBy})
    ON CONFLICT (org_id, fund_identity_hash) DO UPDATE
      SET config = excluded.config, config_hash = excluded.config_hash, updated_by = excluded.updated_by, updated_at = now()`);
  await tx.execute(sql`INSERT INTO funds.fund_market_config_history (org_id, fund_identity_hash, config, config_hash, source, changed_by)
    VALUES (${input.orgId}, ${input.fundIdentityHash}, ${json}::jsonb, ${configHash}, ${input.source}, ${input.changedBy})`);
  await tx.execute(sql`INSERT INTO funds.fund_events (org_id, fund_identity_hash, kind, detail)
    VALUES (${input.orgId}, ${input.fundIdentityHash}, 'market_config', ${JSON.stringify({ configHash, source: input.source })}::jsonb)`);
  return { configHash, changed: true };
}

export interface ConfigEntry {
  readonly config: MarketConfig;
  readonly configHash: string;
  readonly source: string;
  readonly changedBy: string;
  readonly changedAt: string;
}

/** A lineage's market config history, oldest first (the last entry is the current config). */
export async function marketConfigHistory(tx: Tx, lineage: string[]): Promise<ConfigEntry[]> {
  const rows = rowsOf(
    await tx.execute(sql`SELECT config, config_hash, source, changed_by, created_at
      FROM funds.fund_market_config_history
      WHERE fund_identity_hash IN (${sql.join(
        lineage.map((h) => sql`${h}`),
        sql`, `,
      )}) ORDER BY id`),
  );
  return rows.map((r) => ({
    config: r.config as MarketConfig,
    configHash: String(r.config_hash),
    source: String(r.source),
    changedBy: String(r.changed_by),
    changedAt: new Date(r.created_at as string).toISOString(),
  }));
}
