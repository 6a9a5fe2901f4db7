import { FundService } from "@portal/api/funds/v1/funds";
import type { ServiceDefinition } from "@portal/runtime";
import { infoRoutes } from "@portal/runtime";

/** The funds service: uploads, fund identities, fund data versions, aliases and market data. */
export const fundsService: ServiceDefinition = {
  name: "funds",
  routes: (ctx) => infoRoutes(FundService, ctx),
};
