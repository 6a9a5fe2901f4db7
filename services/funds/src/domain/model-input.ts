/**
 * The model input of a fund version: the MODEL.md section-10 JSON the runs service plans a run
 * from and the sampler fits, stored at `model-inputs/<org>/<fund>/<data_hash>.json` (docs/runs.md).
 * It is the version's canonical weekly table joined with the weekly log returns of the market and
 * comparable series that the fund's current market config names, built and checked with navcast's
 * own `parseFund`/`fundToJson`, so the bytes are exactly what the sampler parses.
 */
import { fundToJson, NavcastError, parseFund } from "@portal/navcast";
import type { ObjectStore, Tx } from "@portal/runtime";
import { rowsOf } from "@portal/runtime";
import type { ReturnSeries } from "@portal/workbook";
import { sql } from "drizzle-orm";
import { lineageOf, loadAliases } from "./aliases.js";
import { readWeekly } from "./fund-history.js";
import type { MarketConfig } from "./market-config.js";
import { loadSeries } from "./market-series.js";
import type { WeeklyTable } from "./weekly.js";
import { weekEnd } from "./weekly.js";

/** Where the runs service looks for a version's model input (services/runs fund-inputs.ts). */
export const modelInputKey = (orgId: string, fund: string, dataHash: string) =>
  `model-inputs/${orgId}/${fund}/${dataHash}.json`;

/**
 * A series' weekly log returns on the fund's weeks: the sum of `log(1 + r)` over the series' dates
 * that fall in each week (Saturday to Friday, as fund rows are aligned), so a daily series is
 * compounded to the week and a weekly one is taken as it is; null where no date falls in a week.
 */
export function weeklyLogReturns(weeks: readonly string[], s: ReturnSeries): (number | null)[] {
  const index = new Map(weeks.map((w, i) => [w, i]));
  const out: (number | null)[] = weeks.map(() => null);
  s.dates.forEach((d, j) => {
    const i = index.get(weekEnd(d));
    if (i === undefined) return;
    out[i] = (out[i] ?? 0) + Math.log1p(s.returns[j] as number);
  });
  return out;
}

export type BuiltInput =
  | { readonly ok: true; readonly json: Record<string, unknown> }
  | { readonly ok: false; readonly reason: string };

/**
 * The section-10 object of one fund version. Each week takes the series of the regime in force at
 * its end (the last regime whose `from` is on or before it), as the PME index does. navcast needs
 * a market return in every week, so a fund with no market config, or whose market series leave a
 * week without a return, has no model input (`reason` says why); comparable gaps are null.
 */
export function buildModelInput(
  name: string,
  weekly: WeeklyTable,
  config: MarketConfig | undefined,
  series: ReadonlyMap<string, ReturnSeries>,
): BuiltInput {
  if (!config) return { ok: false, reason: "the fund has no market config" };
  const weeks = weekly.week;
  const returns = new Map<string, (number | null)[]>();
  const of = (name: string) => {
    let r = returns.get(name);
    if (!r) {
      const s = series.get(name);
      r = s ? weeklyLogReturns(weeks, s) : weeks.map(() => null);
      returns.set(name, r);
    }
    return r;
  };
  const market: (number | null)[] = [];
  const comparable: (number | null)[] = [];
  for (let k = 0; k < weeks.length; k++) {
    const week = weeks[k] as string;
    const regime = [...config.regimes].reverse().find((r) => r.from === null || r.from <= week);
    if (!regime) return { ok: false, reason: `no market regime covers the week of ${week}` };
    const m = of(regime.market)[k] ?? null;
    if (m === null)
      return {
        ok: false,
        reason: `market series "${regime.market}" has no return in the week of ${week}`,
      };
    market.push(m);
    comparable.push(regime.comparable ? (of(regime.comparable)[k] ?? null) : null);
  }
  const raw = {
    fund: name,
    weeks: [...weeks],
    contributions: [...weekly.contribution],
    distributions: [...weekly.distribution],
    nav_gp: [...weekly.nav],
    secondary: [...weekly.secondaryPrice],
    market_log_return: market,
    comparable_log_return: comparable,
  };
  try {
    return { ok: true, json: fundToJson(parseFund(raw)) };
  } catch (e) {
    if (e instanceof NavcastError) return { ok: false, reason: e.message };
    throw e;
  }
}

/** One fund version whose model input is to be (re)written, under the fund's current identity. */
export interface InputTarget {
  readonly fundIdentityHash: string;
  readonly name: string;
  readonly dataHash: string;
  readonly weekly: WeeklyTable;
}

export interface InputOutcome {
  readonly fundIdentityHash: string;
  readonly dataHash: string;
  readonly key: string;
  readonly written: boolean;
  /** Why no input was written (any earlier one under the key is removed). */
  readonly reason?: string;
}

/** Each fund's current market config: the latest entry of its lineage's history. */
export async function currentConfigs(
  tx: Tx,
  canonicals: readonly string[],
): Promise<Map<string, MarketConfig>> {
  if (canonicals.length === 0) return new Map();
  const aliases = await loadAliases(tx);
  const owner = new Map<string, string>();
  for (const c of new Set(canonicals))
    for (const h of lineageOf(aliases, aliases.keys(), c)) owner.set(h, c);
  const rows = rowsOf(
    await tx.execute(sql`SELECT fund_identity_hash, config FROM funds.fund_market_config_history
      WHERE fund_identity_hash IN (${sql.join(
        [...owner.keys()].map((h) => sql`${h}`),
        sql`, `,
      )}) ORDER BY id`),
  );
  const out = new Map<string, MarketConfig>();
  for (const r of rows) {
    const c = owner.get(String(r.fund_identity_hash));
    if (c !== undefined) out.set(c, r.config as MarketConfig);
  }
  return out;
}

/**
 * Writes the model input of each target inside the caller's transaction (objects before the
 * commit, as the upload's Parquet), from the fund's current market config and the latest version
 * of each series it names. A target that cannot have one gets none: an object left under its key
 * from an earlier config is deleted, so a run is refused rather than fit on stale market data.
 */
export async function writeModelInputs(
  tx: Tx,
  storage: ObjectStore,
  orgId: string,
  targets: readonly InputTarget[],
): Promise<InputOutcome[]> {
  if (targets.length === 0) return [];
  const configs = await currentConfigs(
    tx,
    targets.map((t) => t.fundIdentityHash),
  );
  const names = new Set<string>();
  for (const c of configs.values())
    for (const r of c.regimes) {
      names.add(r.market);
      if (r.comparable) names.add(r.comparable);
    }
  const series = await loadSeries(tx, [...names]);
  const out: InputOutcome[] = [];
  const CONCURRENCY = 8;
  for (let i = 0; i < targets.length; i += CONCURRENCY) {
    const batch = targets.slice(i, i + CONCURRENCY);
    out.push(
      ...(await Promise.all(
        batch.map(async (t): Promise<InputOutcome> => {
          const key = modelInputKey(orgId, t.fundIdentityHash, t.dataHash);
          const base = { fundIdentityHash: t.fundIdentityHash, dataHash: t.dataHash, key };
          const built = buildModelInput(t.name, t.weekly, configs.get(t.fundIdentityHash), series);
          if (!built.ok) {
            await storage.delete(key);
            return { ...base, written: false, reason: built.reason };
          }
          await storage.put(key, new TextEncoder().encode(JSON.stringify(built.json)), {
            contentType: "application/json",
          });
          return { ...base, written: true };
        }),
      )),
    );
  }
  return out;
}

/**
 * Rewrites the model inputs of every version of a fund's lineage under its current identity:
 * after its market config changed, or a rename gave it a new identity. Versions are read back
 * from their Parquet.
 */
export async function refreshModelInputs(
  tx: Tx,
  storage: ObjectStore,
  orgId: string,
  canonical: string,
): Promise<InputOutcome[]> {
  const aliases = await loadAliases(tx);
  const lineage = lineageOf(aliases, aliases.keys(), canonical);
  const name = rowsOf(
    await tx.execute(sql`SELECT fund_name FROM funds.fund_identities
      WHERE fund_identity_hash = ${canonical}`),
  )[0]?.fund_name;
  if (name === undefined) return [];
  const versions = rowsOf(
    await tx.execute(sql`SELECT DISTINCT ON (data_hash) data_hash, parquet_key FROM funds.fund_data_versions
      WHERE fund_identity_hash IN (${sql.join(
        lineage.map((h) => sql`${h}`),
        sql`, `,
      )}) ORDER BY data_hash, version_number`),
  );
  const targets: InputTarget[] = [];
  for (const v of versions)
    targets.push({
      fundIdentityHash: canonical,
      name: String(name),
      dataHash: String(v.data_hash),
      weekly: await readWeekly(storage, String(v.parquet_key)),
    });
  return writeModelInputs(tx, storage, orgId, targets);
}
