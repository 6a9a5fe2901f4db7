import { fileURLToPath } from "node:url";
import { FundService } from "@portal/api/funds/v1/funds";
import type { ServiceDefinition } from "@portal/runtime";
import { infoRoutes } from "@portal/runtime";

/** The funds service: uploads, fund identities, fund data versions, aliases and market data. */
export const fundsService: ServiceDefinition = {
  name: "funds",
  migrations: fileURLToPath(new URL("../migrations", import.meta.url)),
  routes: (ctx) => infoRoutes(FundService, ctx),
};

export type { StoredFund, UploadInput, UploadOutcome } from "./domain/store-upload.js";
export { MAX_UPLOAD_BYTES, storeUpload } from "./domain/store-upload.js";
