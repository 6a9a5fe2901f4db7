import type { ConnectRouter } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { FundService, UploadStatus } from "@portal/api/funds/v1/funds";
import type { ServiceContext } from "@portal/runtime";
import { requirePrincipal, serviceInfo } from "@portal/runtime";
import { workbookTemplate } from "@portal/workbook";
import { findFund } from "../domain/aliases.js";
import { defineEvergreen, EvergreenRejected, listEvergreen } from "../domain/evergreen.js";
import { fundEvents, fundSeries, fundVersions } from "../domain/fund-history.js";
import { fundPerformance } from "../domain/fund-performance.js";
import { listFunds } from "../domain/list-funds.js";
import {
  checkMarketConfig,
  marketConfigHistory,
  setMarketConfig,
} from "../domain/market-config.js";
import { listMarketSeries, seriesNames, storeMarketSeries } from "../domain/market-series.js";
import { refreshModelInputs } from "../domain/model-input.js";
import { receiveFile } from "../domain/receive-file.js";
import type { UploadOutcome } from "../domain/store-upload.js";
import { storeUpload } from "../domain/store-upload.js";
import { MAX_UPLOAD_BYTES, recordRejected, tooLargeMessage } from "../domain/upload-audit.js";
import { configToProto, problemToProto, versionToProto } from "./convert.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The caller's organisation; a platform principal without one has no fund data to act on. */
function orgOf(orgId: string): string {
  if (!UUID.test(orgId))
    throw new ConnectError("this call needs an organisation", Code.FailedPrecondition);
  return orgId;
}

const HASH = /^[0-9a-f]{64}$/;

/** A fund identity hash from a request: 64 lower-case hex characters. */
function hashOf(hash: string, field = "fund_identity_hash"): string {
  if (!HASH.test(hash))
    throw new ConnectError(`${field} must be 64 lower-case hex characters`, Code.InvalidArgument);
  return hash;
}

const notFound = (hash: string, version = 0) =>
  new ConnectError(
    version
      ? `fund ${hash} has no version ${version} in this organisation`
      : `no fund ${hash} in this organisation`,
    Code.NotFound,
  );

/**
 * Refuses a file over the limit with invalid_argument, after recording the attempt (its audit
 * record is all that is stored).
 */
async function refuseOversize(
  ctx: ServiceContext,
  record: {
    orgId: string;
    uploadedBy: string;
    kind: "workbook" | "market_series";
    filename: string;
    bytes: Uint8Array;
  },
): Promise<void> {
  const size = record.bytes.byteLength;
  if (size <= MAX_UPLOAD_BYTES) return;
  const message = tooLargeMessage(size);
  await recordRejected(ctx.platform.db, {
    orgId: record.orgId,
    uploadedBy: record.uploadedBy,
    kind: record.kind,
    filename: record.filename,
    sha256: null,
    sizeBytes: size,
    format: null,
    problems: [{ sheet: "(file)", message }],
  });
  throw new ConnectError(message, Code.InvalidArgument);
}

/** An upload's file name, checked: it is part of each fund's identity. */
function filenameOf(raw: string): string {
  const filename = raw.normalize("NFC").trim();
  const hasControl = [...filename].some((ch) => (ch.codePointAt(0) ?? 0) < 0x20);
  if (!filename || filename.length > 255 || /[|/\\]/.test(filename) || hasControl) {
    throw new ConnectError(
      "filename must be 1-255 characters without / \\ | or control characters",
      Code.InvalidArgument,
    );
  }
  return filename;
}

/** An upload outcome as UploadWorkbook and UploadWorkbookStream answer it. */
const uploadResponse = (r: UploadOutcome) =>
  r.status === "accepted"
    ? { uploadId: r.uploadId, status: UploadStatus.ACCEPTED, funds: r.funds }
    : {
        uploadId: r.uploadId,
        status: UploadStatus.REJECTED,
        problems: r.problems.map(problemToProto),
      };

function pageOf(size: number, token: string): { limit: number; offset: number } {
  const limit = size <= 0 ? 100 : Math.min(size, 1000);
  const offset = token ? Number.parseInt(Buffer.from(token, "base64url").toString(), 10) : 0;
  if (!Number.isInteger(offset) || offset < 0)
    throw new ConnectError("page_token is not one this service issued", Code.InvalidArgument);
  return { limit, offset };
}

/** Thin handlers: check and translate, then delegate to the domain. */
export const fundRoutes = (ctx: ServiceContext) => (router: ConnectRouter) =>
  router.service(FundService, {
    getServiceInfo: async () => ({ info: await serviceInfo(ctx) }),

    async uploadWorkbook(req, hctx) {
      const p = requirePrincipal(hctx);
      const filename = filenameOf(req.filename);
      const orgId = orgOf(p.orgId);
      const base = { orgId, uploadedBy: p.subject, filename };
      await refuseOversize(ctx, { ...base, kind: "workbook", bytes: req.content });
      return uploadResponse(await storeUpload(ctx.platform, { ...base, bytes: req.content }));
    },

    async uploadWorkbookStream(reqs, hctx) {
      const p = requirePrincipal(hctx);
      const orgId = orgOf(p.orgId);
      const it = reqs[Symbol.asyncIterator]();
      try {
        const first = await it.next();
        if (first.done || first.value.part.case !== "header")
          throw new ConnectError(
            "the first message of an upload stream must be its header (filename)",
            Code.InvalidArgument,
          );
        const header = first.value.part.value;
        const filename = filenameOf(header.filename);
        const chunks = async function* () {
          for (;;) {
            const r = await it.next();
            if (r.done) return;
            if (r.value.part.case !== "chunk")
              throw new ConnectError(
                "only the first message of an upload stream is a header; the others are chunks",
                Code.InvalidArgument,
              );
            yield r.value.part.value;
          }
        };
        const got = await receiveFile(chunks(), { declaredSize: Number(header.sizeBytes) });
        if (!got.ok) {
          // Refused before the file was read whole: its audit record is all that is stored.
          const problems = [{ sheet: "(file)", message: got.message }];
          const uploadId = await recordRejected(ctx.platform.db, {
            orgId,
            uploadedBy: p.subject,
            kind: "workbook",
            filename,
            sha256: null,
            sizeBytes: got.received,
            format: null,
            problems,
          });
          if (got.reason !== "unsupported")
            throw new ConnectError(got.message, Code.InvalidArgument);
          return uploadResponse({ status: "rejected", uploadId, problems });
        }
        return uploadResponse(
          await storeUpload(ctx.platform, {
            orgId,
            uploadedBy: p.subject,
            filename,
            bytes: got.bytes,
            sha256: got.sha256,
          }),
        );
      } finally {
        // Stop reading what the client still sends (a refused upload is not read to its end).
        await it.return?.();
      }
    },

    async listFunds(req, hctx) {
      const p = requirePrincipal(hctx);
      const page = pageOf(req.pageSize, req.pageToken);
      const funds = await listFunds(ctx.platform.db, orgOf(p.orgId), {
        limit: page.limit + 1,
        offset: page.offset,
      });
      const more = funds.length > page.limit;
      return {
        funds: funds.slice(0, page.limit),
        nextPageToken: more
          ? Buffer.from(String(page.offset + page.limit)).toString("base64url")
          : "",
      };
    },

    async getWorkbookTemplate(_req, hctx) {
      requirePrincipal(hctx);
      return { filename: "portal-upload-template.xlsx", content: await workbookTemplate() };
    },

    async listFundVersions(req, hctx) {
      const org = orgOf(requirePrincipal(hctx).orgId);
      const found = await fundVersions(ctx.platform.db, org, hashOf(req.fundIdentityHash));
      if (!found) throw notFound(req.fundIdentityHash);
      return {
        fundIdentityHash: found.fund.canonical,
        name: found.fund.name,
        filename: found.fund.filename,
        previousIdentityHashes: found.fund.lineage.slice(1),
        versions: found.versions.map(versionToProto),
      };
    },

    async listFundEvents(req, hctx) {
      const org = orgOf(requirePrincipal(hctx).orgId);
      const found = await fundEvents(ctx.platform.db, org, hashOf(req.fundIdentityHash));
      if (!found) throw notFound(req.fundIdentityHash);
      return {
        fundIdentityHash: found.fund.canonical,
        events: found.events.map((e) => ({
          kind: e.kind,
          fundIdentityHash: e.fundIdentityHash,
          detailJson: JSON.stringify(e.detail),
          createdAt: e.createdAt,
        })),
      };
    },

    async getFundSeries(req, hctx) {
      const org = orgOf(requirePrincipal(hctx).orgId);
      if (req.versionNumber < 0)
        throw new ConnectError("version_number must be 0 (latest) or above", Code.InvalidArgument);
      const found = await fundSeries(
        ctx.platform,
        org,
        hashOf(req.fundIdentityHash),
        req.versionNumber,
      );
      if (!found) throw notFound(req.fundIdentityHash, req.versionNumber);
      const w = found.weekly;
      return {
        version: versionToProto(found.version),
        rows: w.week.map((week, i) => ({
          week,
          contribution: w.contribution[i] ?? 0,
          distribution: w.distribution[i] ?? 0,
          ...(w.nav[i] != null ? { nav: w.nav[i] as number } : {}),
          ...(w.secondaryPrice[i] != null ? { secondaryPrice: w.secondaryPrice[i] as number } : {}),
        })),
      };
    },

    async getFundMetrics(req, hctx) {
      const org = orgOf(requirePrincipal(hctx).orgId);
      if (req.versionNumber < 0)
        throw new ConnectError("version_number must be 0 (latest) or above", Code.InvalidArgument);
      const found = await fundPerformance(
        ctx.platform,
        org,
        hashOf(req.fundIdentityHash),
        req.versionNumber,
      );
      if (!found) throw notFound(req.fundIdentityHash, req.versionNumber);
      const p = found.performance;
      return {
        version: versionToProto(found.version),
        valuationDate: p.valuationDate,
        tvpi: p.tvpi,
        dpi: p.dpi,
        rvpi: p.rvpi,
        ...(p.irr.ok ? { irr: p.irr.rate } : { irrUnavailable: p.irr.reason }),
        ...(p.ksPme !== undefined ? { ksPme: p.ksPme } : {}),
        ...(p.directAlpha?.ok ? { directAlpha: p.directAlpha.rate } : {}),
        pmeUnavailable:
          p.pmeUnavailable ?? (p.directAlpha && !p.directAlpha.ok ? p.directAlpha.reason : ""),
        marketConfigHash: found.config?.configHash ?? "",
        flowsAfterValuation: p.flowsAfterValuation,
      };
    },

    async uploadMarketSeries(req, hctx) {
      const p = requirePrincipal(hctx);
      const org = orgOf(p.orgId);
      const base = { orgId: org, uploadedBy: p.subject, filename: req.filename };
      await refuseOversize(ctx, { ...base, kind: "market_series", bytes: req.content });
      const r = await storeMarketSeries(ctx.platform, { ...base, bytes: req.content });
      return r.status === "accepted"
        ? { status: UploadStatus.ACCEPTED, series: r.series }
        : { status: UploadStatus.REJECTED, problems: r.problems.map(problemToProto) };
    },

    async listMarketSeries(_req, hctx) {
      const org = orgOf(requirePrincipal(hctx).orgId);
      return { series: await listMarketSeries(ctx.platform.db, org) };
    },

    async setFundMarketConfig(req, hctx) {
      const p = requirePrincipal(hctx);
      const org = orgOf(p.orgId);
      const hash = hashOf(req.fundIdentityHash);
      const config = {
        regimes: req.regimes.map((r) => ({
          from: r.from.trim() || null,
          market: r.market.normalize("NFC").trim(),
          comparable: r.comparable.normalize("NFC").trim() || null,
        })),
      };
      return ctx.platform.db.withOrg(org, async (tx) => {
        const problems = checkMarketConfig(config, await seriesNames(tx));
        if (problems.length > 0)
          throw new ConnectError(
            problems.map((x) => `${x.field}: ${x.message}`).join("; "),
            Code.InvalidArgument,
          );
        const fund = await findFund(tx, hash);
        if (!fund) throw notFound(hash);
        const set = await setMarketConfig(tx, {
          orgId: org,
          fundIdentityHash: fund.canonical,
          config,
          changedBy: p.subject,
          source: "api",
        });
        // The model inputs of the fund's versions carry the config's series: rebuild them.
        if (set.changed) await refreshModelInputs(tx, ctx.platform.storage, org, fund.canonical);
        return set;
      });
    },

    async getFundMarketConfig(req, hctx) {
      const org = orgOf(requirePrincipal(hctx).orgId);
      const found = await fundVersions(ctx.platform.db, org, hashOf(req.fundIdentityHash));
      if (!found) throw notFound(req.fundIdentityHash);
      const history = await ctx.platform.db.withOrg(org, (tx) =>
        marketConfigHistory(tx, found.fund.lineage),
      );
      const current = history.at(-1);
      return {
        ...(current ? { current: configToProto(current) } : {}),
        history: history.map(configToProto),
      };
    },

    async createEvergreenFund(req, hctx) {
      const p = requirePrincipal(hctx);
      const org = orgOf(p.orgId);
      try {
        const e = await defineEvergreen(ctx.platform.db, {
          orgId: org,
          createdBy: p.subject,
          name: req.name,
          memberHashes: req.memberFundIdentityHashes,
        });
        return { fund: e, isNew: e.isNew };
      } catch (err) {
        if (err instanceof EvergreenRejected)
          throw new ConnectError(`${err.field}: ${err.message}`, Code.InvalidArgument);
        throw err;
      }
    },

    async listEvergreenFunds(_req, hctx) {
      const org = orgOf(requirePrincipal(hctx).orgId);
      return { funds: await listEvergreen(ctx.platform.db, org) };
    },
  });
