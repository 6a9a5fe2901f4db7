import type { HandlerContext } from "@connectrpc/connect";
import type { ServiceContext } from "@portal/runtime";
import { onBehalfOf } from "@portal/runtime";
import type { FundCatalog } from "./domain/fund-inputs.js";

/** The funds service as the runs service's catalog, called on behalf of the caller. */
export const fundsServiceCatalog =
  (ctx: ServiceContext) =>
  (hctx: HandlerContext): FundCatalog => ({
    async latestDataHashes(wanted) {
      const funds = ctx.clients.get("funds");
      const want = new Set(wanted);
      const out = new Map<string, string>();
      let pageToken = "";
      do {
        const page = await funds.listFunds({ pageSize: 1000, pageToken }, onBehalfOf(hctx));
        for (const f of page.funds)
          if (want.has(f.fundIdentityHash)) out.set(f.fundIdentityHash, f.latestDataHash);
        pageToken = page.nextPageToken;
      } while (pageToken && out.size < want.size);
      return out;
    },
  });
