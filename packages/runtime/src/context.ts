import type { HandlerContext } from "@connectrpc/connect";
import { Code, ConnectError, createContextKey } from "@connectrpc/connect";
import type { Role } from "@portal/api";
import { pino } from "pino";
import type { Logger } from "./logger.js";
import type { Principal } from "./principal.js";
import { hasRole, roleName } from "./principal.js";

/** The request logger: always carries requestId, rpc and, once known, orgId and traceId. */
export const kLog = createContextKey<Logger>(pino({ level: "silent" }), {
  description: "request logger",
});
/** The verified caller, or undefined on a public RPC called anonymously. */
export const kPrincipal = createContextKey<Principal | undefined>(undefined, {
  description: "principal",
});
/** The caller's principal token, forwarded when this call makes calls of its own. */
export const kPrincipalToken = createContextKey<string | undefined>(undefined, {
  description: "principal token",
});
export const kRequestId = createContextKey<string>("", { description: "request id" });

/** Header that carries the principal token between services. */
export const PRINCIPAL_HEADER = "x-portal-principal";
export const REQUEST_ID_HEADER = "x-request-id";

/**
 * The caller, checked against `min`. The auth interceptor has already enforced the RPC's declared
 * minimum role; handlers call this when they need the principal, or a stricter role for one branch.
 */
export function requirePrincipal(ctx: HandlerContext, min?: Role): Principal {
  const p = ctx.values.get(kPrincipal);
  if (!p) throw new ConnectError("authentication required", Code.Unauthenticated);
  if (min !== undefined && !hasRole(p.role, min)) {
    throw new ConnectError(`requires role ${roleName(min)}`, Code.PermissionDenied);
  }
  return p;
}
