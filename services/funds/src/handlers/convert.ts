import type { Problem } from "@portal/workbook";
import type { VersionInfo as Version } from "../domain/fund-history.js";
import type { ConfigEntry } from "../domain/market-config.js";

/** Domain values as their proto message shapes (plain objects Connect accepts). */
export const problemToProto = (x: Problem) => ({
  sheet: x.sheet,
  row: x.row ?? 0,
  column: x.column ?? "",
  message: x.message,
});

export const versionToProto = (v: Version) => ({
  versionNumber: v.versionNumber,
  dataHash: v.dataHash,
  fundIdentityHash: v.fundIdentityHash,
  uploadId: v.uploadId,
  weeks: v.weeks,
  firstWeek: v.firstWeek,
  lastWeek: v.lastWeek,
  createdAt: v.createdAt,
});

export const configToProto = (c: ConfigEntry) => ({
  regimes: c.config.regimes.map((r) => ({
    from: r.from ?? "",
    market: r.market,
    comparable: r.comparable ?? "",
  })),
  configHash: c.configHash,
  source: c.source,
  changedBy: c.changedBy,
  changedAt: c.changedAt,
});
