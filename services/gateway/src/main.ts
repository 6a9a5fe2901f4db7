import { runStandalone } from "@portal/runtime";
import { API_PREFIX, edgeAuth, gatewayHttp, gatewayService } from "./index.js";

await runStandalone(
  gatewayService,
  {
    apiPrefix: API_PREFIX,
    interceptors: [edgeAuth],
    http: (ctx) => gatewayHttp(ctx),
  },
  process.env,
);
