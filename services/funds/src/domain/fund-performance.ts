import type { Database, ObjectStore } from "@portal/runtime";
import type { FundRef, VersionInfo } from "./fund-history.js";
import { fundSeries } from "./fund-history.js";
import type { ConfigEntry } from "./market-config.js";
import { marketConfigHistory } from "./market-config.js";
import { loadSeries } from "./market-series.js";
import type { Performance } from "./performance.js";
import { marketIndex, performance } from "./performance.js";

/**
 * A fund version's performance (0 for the latest): multiples and IRR from its cash flows, and
 * KS-PME and Direct Alpha against the market series its current market config names.
 */
export async function fundPerformance(
  deps: { db: Database; storage: ObjectStore },
  orgId: string,
  hash: string,
  versionNumber: number,
): Promise<
  | { fund: FundRef; version: VersionInfo; config?: ConfigEntry; performance: Performance }
  | undefined
> {
  const found = await fundSeries(deps, orgId, hash, versionNumber);
  if (!found) return undefined;
  const { config, series } = await deps.db.withOrg(orgId, async (tx) => {
    const config = (await marketConfigHistory(tx, found.fund.lineage)).at(-1);
    const names = config ? [...new Set(config.config.regimes.map((r) => r.market))] : [];
    return { config, series: await loadSeries(tx, names) };
  });
  const index = config ? marketIndex(found.weekly.week, config.config, series) : undefined;
  return {
    fund: found.fund,
    version: found.version,
    ...(config ? { config } : {}),
    performance: performance(found.weekly, index),
  };
}
