import { IdentityService } from "@portal/api/identity/v1/identity";
import type { ServiceDefinition } from "@portal/runtime";
import { infoRoutes } from "@portal/runtime";

/** The identity service: organisations, users, roles, logins (password + TOTP, OIDC), API keys and the JWKS of principal tokens. */
export const identityService: ServiceDefinition = {
  name: "identity",
  routes: (ctx) => infoRoutes(IdentityService, ctx),
};
export { JWKS_PATH, jwksRoutes } from "./jwks.js";
