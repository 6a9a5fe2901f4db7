import { createPrincipalSigner, parseEnv, runStandalone } from "@portal/runtime";
import { z } from "zod";
import { createIdentityService, parseSecretBoxKey } from "./index.js";
import { jwksRoutes } from "./jwks.js";

// Identity's own variables beside the standard ones runStandalone reads.
const env = parseEnv(
  z.object({
    /** 32 bytes, base64: encrypts TOTP secrets at rest. Unset: TOTP enrolment is refused. */
    MFA_ENCRYPTION_KEY: z.string().optional(),
    PUBLIC_BASE_URL: z.url().default("http://localhost:8080"),
  }),
  process.env,
);

await runStandalone(
  createIdentityService({
    mfaEncryptionKey: env.MFA_ENCRYPTION_KEY
      ? parseSecretBoxKey(env.MFA_ENCRYPTION_KEY)
      : undefined,
    publicBaseUrl: env.PUBLIC_BASE_URL,
  }),
  {
    http: async (_ctx, env) => {
      if (!env.PRINCIPAL_SIGNING_JWK)
        throw new Error("PRINCIPAL_SIGNING_JWK: is required by the identity service");
      return jwksRoutes((await createPrincipalSigner(JSON.parse(env.PRINCIPAL_SIGNING_JWK))).jwks);
    },
  },
  process.env,
);
