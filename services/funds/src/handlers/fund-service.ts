import type { ConnectRouter } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { FundService, UploadStatus } from "@portal/api/funds/v1/funds";
import type { ServiceContext } from "@portal/runtime";
import { requirePrincipal, serviceInfo } from "@portal/runtime";
import { workbookTemplate } from "@portal/workbook";
import { listFunds } from "../domain/list-funds.js";
import { MAX_UPLOAD_BYTES, storeUpload } from "../domain/store-upload.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The caller's organisation; a platform principal without one has no fund data to act on. */
function orgOf(orgId: string): string {
  if (!UUID.test(orgId))
    throw new ConnectError("this call needs an organisation", Code.FailedPrecondition);
  return orgId;
}

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
      const filename = req.filename.normalize("NFC").trim();
      const hasControl = [...filename].some((ch) => (ch.codePointAt(0) ?? 0) < 0x20);
      if (!filename || filename.length > 255 || /[|/\\]/.test(filename) || hasControl) {
        throw new ConnectError(
          "filename must be 1-255 characters without / \\ | or control characters",
          Code.InvalidArgument,
        );
      }
      if (req.content.byteLength > MAX_UPLOAD_BYTES) {
        throw new ConnectError(
          `the file is ${req.content.byteLength} bytes; the limit is ${MAX_UPLOAD_BYTES}`,
          Code.InvalidArgument,
        );
      }
      const r = await storeUpload(ctx.platform, {
        orgId: orgOf(p.orgId),
        uploadedBy: p.subject,
        filename,
        bytes: req.content,
      });
      return r.status === "accepted"
        ? { uploadId: r.uploadId, status: UploadStatus.ACCEPTED, funds: r.funds }
        : {
            uploadId: r.uploadId,
            status: UploadStatus.REJECTED,
            problems: r.problems.map((x) => ({
              sheet: x.sheet,
              row: x.row ?? 0,
              column: x.column ?? "",
              message: x.message,
            })),
          };
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
  });
