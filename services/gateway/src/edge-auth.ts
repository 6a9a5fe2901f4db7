import type { Interceptor } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { Role } from "@portal/api";
import type { Principal, PrincipalSigner } from "@portal/runtime";
import { PRINCIPAL_HEADER } from "@portal/runtime";
import { readCookie, SESSION_COOKIE } from "./cookies.js";
import type { Session } from "./domain/sessions.js";
import { isCsrfValid } from "./domain/sessions.js";

const BEARER_JWT = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;
const BEARER_KEY = /^Bearer\s+(sk_live_\S+)$/;
export const CSRF_HEADER = "x-csrf-token";

const roles: Record<string, Role> = {
  viewer: Role.VIEWER,
  member: Role.MEMBER,
  org_admin: Role.ORG_ADMIN,
  super_admin: Role.SUPER_ADMIN,
};

/** What the edge needs to turn a credential into a principal. */
export interface EdgeAuthDeps {
  signer: PrincipalSigner;
  /** The live session a cookie names. */
  findSession(token: string): Promise<Session | undefined>;
  /** The organisation and role an API key acts for; throws ConnectError when refused. */
  authenticateApiKey(key: string): Promise<{ apiKeyId: string; orgId: string; role: Role }>;
}

/**
 * What a request's credentials come to: a principal the gateway vouches for (API key or session,
 * signed into a token by the caller of this function), a principal token to pass on as it is
 * (each service verifies it), or nobody (anonymous). A credential that is presented but refused
 * throws a ConnectError rather than falling back to anonymous.
 *
 * `method` is the HTTP method: a cookie caller must echo the CSRF token unless it is a GET.
 */
export async function credentialsOf(
  deps: Pick<EdgeAuthDeps, "findSession" | "authenticateApiKey">,
  header: Headers,
  method: string,
): Promise<{ principal: Principal } | { token: string } | undefined> {
  const authorization = header.get("authorization") ?? "";
  const key = BEARER_KEY.exec(authorization)?.[1];
  const jwt = BEARER_JWT.exec(authorization)?.[1];
  if (key) {
    const k = await deps.authenticateApiKey(key);
    return { principal: { subject: `key:${k.apiKeyId}`, orgId: k.orgId, role: k.role } };
  }
  if (jwt) return { token: jwt };
  if (authorization)
    throw new ConnectError("unsupported Authorization header", Code.Unauthenticated);
  const token = readCookie(header.get("cookie"), SESSION_COOKIE);
  if (!token) return undefined;
  const session = await deps.findSession(token);
  if (!session) throw new ConnectError("session expired or signed out", Code.Unauthenticated);
  // Every call through the gateway can change state unless it is a GET; cookie callers prove
  // they are the portal's own page by echoing the CSRF token.
  if (method !== "GET" && !isCsrfValid(session, header.get(CSRF_HEADER))) {
    throw new ConnectError(
      `missing or wrong ${CSRF_HEADER} header for a cookie-authenticated call`,
      Code.PermissionDenied,
    );
  }
  const role = roles[session.role];
  if (role === undefined) throw new Error(`session role ${session.role} is unknown`);
  return { principal: { subject: session.userId, orgId: session.orgId, role } };
}

/**
 * Authentication at the edge. A caller proves who it is with an API key
 * (`Authorization: Bearer sk_live_…`), a session cookie (plus the `x-csrf-token` header, since a
 * browser attaches cookies to cross-site requests too), or a principal token
 * (`Authorization: Bearer <jwt>`, verified by each service). The gateway mints a 60-second
 * principal token for the first two. A principal header sent from outside is dropped: only this
 * interceptor sets it. A credential that is presented but refused fails the call rather than
 * falling back to anonymous.
 */
export function createEdgeAuth(deps: EdgeAuthDeps): Interceptor {
  return (next) => async (req) => {
    req.header.delete(PRINCIPAL_HEADER);
    const c = await credentialsOf(deps, req.header, req.requestMethod);
    if (c && "token" in c) req.header.set(PRINCIPAL_HEADER, c.token);
    else if (c) req.header.set(PRINCIPAL_HEADER, await deps.signer.sign(c.principal));
    return next(req);
  };
}
