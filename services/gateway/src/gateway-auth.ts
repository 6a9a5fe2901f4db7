import type { Interceptor } from "@connectrpc/connect";
import { Role } from "@portal/api";
import { AccessEvent } from "@portal/api/identity/v1/identity";
import type { HttpRoutes, PrincipalSigner, ServiceContext } from "@portal/runtime";
import { PRINCIPAL_HEADER, roleName } from "@portal/runtime";
import { authRoutes } from "./auth-routes.js";
import type { SessionDeps } from "./domain/sessions.js";
import {
  createSession,
  findSession,
  revokeSession,
  revokeUserSessions,
} from "./domain/sessions.js";
import { createEdgeAuth, credentialsOf } from "./edge-auth.js";
import type { OidcConfig } from "./oidc-config.js";
import { oidcRoutes } from "./oidc-routes.js";
import { uploadRoutes } from "./upload-routes.js";

/**
 * The gateway's half of authentication: the edge interceptor, the login/logout routes, and the
 * plain HTTP routes that authenticate as the API does (the streamed browser upload and the
 * template download, upload-routes.ts).
 */
export interface GatewayAuth {
  interceptor: Interceptor;
  routes: HttpRoutes;
}

/**
 * Wires sessions (gateway schema) and identity's password and API key checks together. The gateway
 * calls identity as the platform itself, with a service principal it signs; only those two
 * SERVICE-role RPCs need it.
 */
export function gatewayAuth(
  ctx: ServiceContext,
  signer: PrincipalSigner,
  opts: {
    publicBaseUrl: string;
    now?: () => Date;
    /** OIDC login; unset: /auth/oidc/* answer that single sign-on is not configured. */
    oidc?: OidcConfig | undefined;
  },
): GatewayAuth {
  const deps: SessionDeps = { db: ctx.platform.db, now: opts.now ?? (() => new Date()) };
  // Reset links point at the configured public URL, never at a Host header a caller could forge.
  const resetUrlBase = `${opts.publicBaseUrl.replace(/\/$/, "")}/reset#token=`;
  const identity = ctx.clients.get("identity");
  const asService = async () => ({
    headers: new Headers({
      [PRINCIPAL_HEADER]: await signer.sign({
        subject: "service:gateway",
        orgId: "",
        role: Role.SERVICE,
      }),
    }),
  });
  const asUser = (r: { userId: string; orgId: string; role: Role }) => ({
    userId: r.userId,
    orgId: r.orgId,
    role: roleName(r.role),
  });
  const oidc = oidcRoutes(opts.oidc, {
    authenticate: async (claims) =>
      asUser(await identity.authenticateOidc(claims, await asService())),
    createSession: (user) => createSession(deps, user),
    findSession: (token) => findSession(deps, token),
    revokeSession: (s) => revokeSession(deps, s),
    log: ctx.log,
  });
  const routes = authRoutes({
    async verifyPassword(email, password) {
      const r = await identity.verifyPassword({ email, password }, await asService());
      if (r.mfaToken) return { mfaToken: r.mfaToken };
      return asUser(r);
    },
    async verifySecondFactor(mfaToken, code) {
      return asUser(await identity.verifySecondFactor({ mfaToken, code }, await asService()));
    },
    async acceptInvitation(token, password) {
      return asUser(await identity.acceptInvitation({ token, password }, await asService()));
    },
    createSession: (user) => createSession(deps, user),
    findSession: (token) => findSession(deps, token),
    revokeSession: (s) => revokeSession(deps, s),
    revokeUserSessions: (u) => revokeUserSessions(deps, u),
    async recordLogout(s) {
      await identity.recordAccess(
        { orgId: s.orgId, userId: s.userId, event: AccessEvent.LOGOUT },
        await asService(),
      );
    },
    async requestPasswordReset(email) {
      await identity.requestPasswordReset({ email, resetUrlBase }, await asService());
    },
    async resetPassword(token, newPassword) {
      return identity.resetPassword({ token, newPassword }, await asService());
    },
    async changePassword(s, currentPassword, newPassword) {
      await identity.changePassword(
        { orgId: s.orgId, userId: s.userId, currentPassword, newPassword },
        await asService(),
      );
    },
  });
  const edge = {
    signer,
    findSession: (token: string) => findSession(deps, token),
    authenticateApiKey: async (key: string) =>
      identity.authenticateApiKey({ key }, await asService()),
  };
  const asCaller = (token: string) => new Headers({ [PRINCIPAL_HEADER]: token });
  const uploads = uploadRoutes({
    credentials: (header, method) => credentialsOf(edge, header, method),
    sign: (p) => signer.sign(p),
    uploadWorkbookStream: (messages, token, signal) =>
      ctx.clients.get("funds").uploadWorkbookStream(messages, { headers: asCaller(token), signal }),
    workbookTemplate: (token) =>
      ctx.clients.get("funds").getWorkbookTemplate({}, { headers: asCaller(token) }),
    log: ctx.log,
  });
  return {
    interceptor: createEdgeAuth(edge),
    routes: async (req, res) =>
      (await routes(req, res)) || (await uploads(req, res)) || oidc(req, res),
  };
}
