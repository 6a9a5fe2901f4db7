import { fileURLToPath } from "node:url";
import type { ServiceDefinition } from "@portal/runtime";
import { fundRoutes } from "./handlers/fund-service.js";

/** The funds service: uploads, fund identities, fund data versions, aliases and market data. */
export const fundsService: ServiceDefinition = {
  name: "funds",
  migrations: fileURLToPath(new URL("../migrations", import.meta.url)),
  routes: fundRoutes,
};

export type { FundListing } from "./domain/list-funds.js";
export { listFunds } from "./domain/list-funds.js";
export type { StoredFund, UploadInput, UploadOutcome } from "./domain/store-upload.js";
export { MAX_UPLOAD_BYTES, storeUpload } from "./domain/store-upload.js";
