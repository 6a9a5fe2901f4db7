import { createPrincipalSigner, runStandalone } from "@portal/runtime";
import { API_PREFIX, gatewayAuth, gatewayHttp, gatewayService, parseOidcEnv } from "./index.js";
import { chain } from "./web-routes.js";

await runStandalone(
  gatewayService,
  {
    apiPrefix: API_PREFIX,
    // The gateway signs the principal tokens it mints for sessions and API keys.
    setup: async (ctx, env) => {
      if (!env.PRINCIPAL_SIGNING_JWK)
        throw new Error("PRINCIPAL_SIGNING_JWK: is required by the gateway");
      const signer = await createPrincipalSigner(JSON.parse(env.PRINCIPAL_SIGNING_JWK));
      const auth = gatewayAuth(ctx, signer, {
        publicBaseUrl: env.PUBLIC_BASE_URL,
        oidc: parseOidcEnv(process.env, env.PUBLIC_BASE_URL),
      });
      return { interceptors: [auth.interceptor], http: chain(auth.routes, gatewayHttp(ctx)) };
    },
  },
  process.env,
);
