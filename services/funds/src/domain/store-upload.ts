import { dataHash, fileIdentityHash, fundIdentityHash, sha256Hex } from "@portal/hashing";
import type { Database, ObjectStore } from "@portal/runtime";
import type { Problem } from "@portal/workbook";
import { parseWorkbook } from "@portal/workbook";
import { parquetWriteBuffer } from "hyparquet-writer";
import { setMarketConfig } from "./market-config.js";
import { seriesNames } from "./market-series.js";
import type { InputOutcome, InputTarget } from "./model-input.js";
import { refreshModelInputs, writeModelInputs } from "./model-input.js";
import type { PreparedFund, StoredFund } from "./store-funds.js";

export type { StoredFund } from "./store-funds.js";

import { storeFunds } from "./store-funds.js";
import { MAX_UPLOAD_BYTES, recordRejected, recordUpload, tooLargeMessage } from "./upload-audit.js";
import type { WeeklyTable } from "./weekly.js";
import { hashColumns, toWeekly } from "./weekly.js";

export { MAX_UPLOAD_BYTES } from "./upload-audit.js";

export interface UploadInput {
  readonly orgId: string;
  readonly uploadedBy: string;
  readonly filename: string;
  readonly bytes: Uint8Array;
  /** The bytes' SHA-256 when the caller computed it as they arrived (a streamed upload). */
  readonly sha256?: string;
  /** Series names the organisation has (for the Market sheet); unset reads them from the database. */
  readonly knownSeries?: ReadonlySet<string>;
}

export type UploadOutcome =
  | {
      readonly status: "accepted";
      readonly uploadId: string;
      readonly funds: StoredFund[];
      /** The model input of each fund's version (MODEL.md section 10), or why it has none. */
      readonly modelInputs: InputOutcome[];
    }
  | { readonly status: "rejected"; readonly uploadId: string; readonly problems: Problem[] };

/** The canonical weekly table as Parquet (week as a date string, amounts as doubles). */
function toParquet(t: WeeklyTable): Uint8Array {
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: "week", data: t.week, type: "STRING" },
        { name: "contribution", data: t.contribution, type: "DOUBLE" },
        { name: "distribution", data: t.distribution, type: "DOUBLE" },
        { name: "nav", data: t.nav, type: "DOUBLE" },
        { name: "secondary_price", data: t.secondaryPrice, type: "DOUBLE" },
      ],
    }),
  );
}

/**
 * Stores an upload: the raw file, and for each fund in it a new data version only when its data
 * hash is new (DESIGN.md section 5). A rejected upload stores nothing but its own record with the
 * problems found. Objects are written before the database commit and named by content, so a
 * retry rewrites the same bytes and a failed commit leaves nothing that any row points to.
 */
export async function storeUpload(
  deps: { db: Database; storage: ObjectStore },
  input: UploadInput,
): Promise<UploadOutcome> {
  const sha256 = input.sha256 ?? sha256Hex(input.bytes);
  const fileHash = fileIdentityHash(input.orgId, input.filename);
  const audit = {
    orgId: input.orgId,
    uploadedBy: input.uploadedBy,
    kind: "workbook" as const,
    filename: input.filename,
    sha256,
    sizeBytes: input.bytes.byteLength,
  };

  const parsed =
    input.bytes.byteLength > MAX_UPLOAD_BYTES
      ? {
          ok: false as const,
          problems: [{ sheet: "(file)", message: tooLargeMessage(input.bytes.byteLength) }],
        }
      : await parseWorkbook(input.bytes, {
          knownSeries:
            input.knownSeries ?? (await deps.db.withOrg(input.orgId, (tx) => seriesNames(tx))),
        });
  if (!parsed.ok) {
    const uploadId = await recordRejected(deps.db, {
      ...audit,
      format: null,
      problems: parsed.problems,
    });
    return { status: "rejected", uploadId, problems: parsed.problems };
  }

  const rawKey = `raw/${input.orgId}/${fileHash}/${sha256}.${parsed.format}`;
  await deps.storage.put(rawKey, input.bytes);
  const prepared: PreparedFund[] = [];
  for (const f of parsed.funds) {
    const weekly = toWeekly(f.rows);
    const fundHash = fundIdentityHash(input.orgId, input.filename, f.name);
    const hash = dataHash(hashColumns(weekly));
    const parquetKey = `processed-data/${input.orgId}/${fundHash}/${hash}.parquet`;
    await deps.storage.put(parquetKey, toParquet(weekly));
    prepared.push({ name: f.name, fundHash, hash, parquetKey, weekly });
  }

  const filename = input.filename.normalize("NFC").trim();
  return deps.db.withOrg(input.orgId, async (tx) => {
    const uploadId = await recordUpload(tx, {
      ...audit,
      format: parsed.format,
      status: "accepted",
      problems: null,
      rawKey,
    });
    const funds = await storeFunds(
      tx,
      { orgId: input.orgId, uploadId, filename, fileHash },
      prepared,
    );
    // Funds whose market config changed, or that were renamed, get every version's model input
    // rewritten under their current identity; the others only this upload's version.
    const refresh = new Set<string>();
    for (const m of parsed.market) {
      const fund = funds.find((f) => f.name === m.fund);
      if (!fund) continue;
      const { changed } = await setMarketConfig(tx, {
        orgId: input.orgId,
        fundIdentityHash: fund.fundIdentityHash,
        config: { regimes: [{ from: null, market: m.market, comparable: m.comparable }] },
        changedBy: input.uploadedBy,
        source: "upload",
      });
      if (changed) refresh.add(fund.fundIdentityHash);
    }
    for (const f of funds) if (f.renamedFrom) refresh.add(f.fundIdentityHash);
    const modelInputs: InputOutcome[] = [];
    for (const hash of refresh)
      modelInputs.push(...(await refreshModelInputs(tx, deps.storage, input.orgId, hash)));
    const targets: InputTarget[] = [];
    funds.forEach((f, i) => {
      if (refresh.has(f.fundIdentityHash)) return;
      const p = prepared[i] as PreparedFund;
      targets.push({
        fundIdentityHash: f.fundIdentityHash,
        name: f.name,
        dataHash: f.dataHash,
        weekly: p.weekly,
      });
    });
    modelInputs.push(...(await writeModelInputs(tx, deps.storage, input.orgId, targets)));
    return { status: "accepted", uploadId, funds, modelInputs };
  });
}
