import { createPrincipalSigner, runStandalone } from "@portal/runtime";
import { identityService } from "./index.js";
import { jwksRoutes } from "./jwks.js";

await runStandalone(
  identityService,
  {
    http: async (_ctx, env) => {
      if (!env.PRINCIPAL_SIGNING_JWK)
        throw new Error("PRINCIPAL_SIGNING_JWK: is required by the identity service");
      return jwksRoutes((await createPrincipalSigner(JSON.parse(env.PRINCIPAL_SIGNING_JWK))).jwks);
    },
  },
  process.env,
);
