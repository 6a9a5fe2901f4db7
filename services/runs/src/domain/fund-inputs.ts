/**
 * Which data a run fits: each fund's latest version (asked of the funds service) or a pinned
 * one, and the model input of that version in object storage (MODEL.md section-10 JSON under
 * `model-inputs/<org>/<fund>/<data_hash>.json`). The runs service reads it once at submission to
 * plan the windows and records its SHA-256; the sampler refuses an input that changed since.
 */
import { sha256Hex } from "@portal/hashing";
import type { RunConfig } from "@portal/navcast";
import { NavcastError, parseFund, trimToFirstContribution, windowEnds } from "@portal/navcast";
import type { ObjectStore } from "@portal/runtime";
import { ObjectNotFound } from "@portal/runtime";
import { invalid, precondition } from "./errors.js";

/** The funds service, as the runs service needs it. */
export interface FundCatalog {
  /** Latest data_hash of each fund the caller's organisation has (others are absent). */
  latestDataHashes(fundIdentityHashes: string[]): Promise<Map<string, string>>;
}

export interface FundSelection {
  fundIdentityHash: string;
  /** Empty: the latest version. */
  dataHash: string;
}

export interface PlannedFund {
  fundIdentityHash: string;
  dataHash: string;
  inputKey: string;
  inputSha256: string;
  /** Window ends of the tasks: ISO dates, or ["all"] in sequential mode. */
  windows: string[];
  truth?: Record<string, number>;
}

const HASH = /^[0-9a-f]{64}$/;

export const modelInputKey = (orgId: string, fund: string, dataHash: string) =>
  `model-inputs/${orgId}/${fund}/${dataHash}.json`;

/** Checks the selection: 1-500 funds, hashes well formed, no fund twice. */
export function checkSelection(funds: FundSelection[]): void {
  if (funds.length === 0 || funds.length > 500)
    throw invalid(`a run needs 1 to 500 funds, got ${funds.length}`, { field: "funds" });
  const seen = new Set<string>();
  funds.forEach((f, i) => {
    if (!HASH.test(f.fundIdentityHash))
      throw invalid(`funds[${i}].fund_identity_hash is not a SHA-256 hex digest`, { index: i });
    if (f.dataHash && !HASH.test(f.dataHash))
      throw invalid(`funds[${i}].data_hash is not a SHA-256 hex digest`, { index: i });
    if (seen.has(f.fundIdentityHash))
      throw invalid(`fund ${f.fundIdentityHash} is listed twice`, { index: i });
    seen.add(f.fundIdentityHash);
  });
}

/** The windows a fund's tasks fit under `config`. */
export function planWindows(fundJson: unknown, config: RunConfig, fund: string): string[] {
  if (config.mode === "sequential") return ["all"];
  try {
    const { fund: f } = trimToFirstContribution(parseFund(fundJson));
    const ends = windowEnds(f, config.windows);
    if (ends.length === 0)
      throw precondition(`fund ${fund} has no window to fit under this config`);
    return ends.map((t) => f.weeks[t - 1] ?? "");
  } catch (e) {
    if (e instanceof NavcastError)
      throw precondition(`fund ${fund}: ${e.message}`, { fund, ...e.context });
    throw e;
  }
}

/** Resolves versions and reads each model input: what a run of `config` will fit. */
export async function planFunds(
  deps: { storage: ObjectStore; catalog: FundCatalog },
  orgId: string,
  funds: FundSelection[],
  config: RunConfig,
): Promise<PlannedFund[]> {
  checkSelection(funds);
  const open = funds.filter((f) => !f.dataHash).map((f) => f.fundIdentityHash);
  const latest = open.length > 0 ? await deps.catalog.latestDataHashes(open) : new Map();
  const out: PlannedFund[] = [];
  for (const f of funds) {
    const dataHash = f.dataHash || latest.get(f.fundIdentityHash);
    if (!dataHash) throw precondition(`fund ${f.fundIdentityHash} has no data version`);
    const inputKey = modelInputKey(orgId, f.fundIdentityHash, dataHash);
    let bytes: Uint8Array;
    try {
      bytes = await deps.storage.get(inputKey);
    } catch (e) {
      if (e instanceof ObjectNotFound)
        throw precondition(
          `fund ${f.fundIdentityHash} version ${dataHash} has no model input (${inputKey})`,
          { fund: f.fundIdentityHash },
        );
      throw e;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(Buffer.from(bytes).toString("utf8"));
    } catch {
      throw precondition(`the model input ${inputKey} is not JSON`);
    }
    out.push({
      fundIdentityHash: f.fundIdentityHash,
      dataHash,
      inputKey,
      inputSha256: sha256Hex(bytes),
      windows: planWindows(doc, config, f.fundIdentityHash),
    });
  }
  return out;
}
