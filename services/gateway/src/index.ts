import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ConnectRouter } from "@connectrpc/connect";
import { GatewayService } from "@portal/api/gateway/v1/gateway";
import type { ServiceContext, ServiceDefinition } from "@portal/runtime";
import { requirePrincipal, serviceInfo } from "@portal/runtime";
import { revokeSessionsOnUserChange, USER_CHANGED } from "./domain/session-revoker.js";
import { forwardAll, MAX_REQUEST_BYTES } from "./forward.js";
import { chain, fileRoutes, webRoutes } from "./web-routes.js";

export type { AuthRouteDeps } from "./auth-routes.js";
export {
  authRoutes,
  INVITE_ACCEPT_PATH,
  LOGIN_CODE_PATH,
  LOGIN_PATH,
  LOGOUT_PATH,
  PASSWORD_PATH,
  RESET_PATH,
  RESET_REQUEST_PATH,
} from "./auth-routes.js";
export { CSRF_COOKIE, SESSION_COOKIE } from "./cookies.js";
export type { EdgeAuthDeps } from "./edge-auth.js";
export { CSRF_HEADER, createEdgeAuth, credentialsOf } from "./edge-auth.js";
export {
  forwardAll,
  forwardService,
  MAX_REQUEST_BYTES,
  MAX_UPLOAD_REQUEST_BYTES,
  requestCapOf,
} from "./forward.js";
export type { GatewayAuth } from "./gateway-auth.js";
export { gatewayAuth } from "./gateway-auth.js";
export type { OidcConfig } from "./oidc-config.js";
export { parseOidcEnv } from "./oidc-config.js";
export { OIDC_CALLBACK_PATH, OIDC_COOKIE, OIDC_START_PATH } from "./oidc-routes.js";
export type { UploadRouteDeps } from "./upload-routes.js";
export {
  MAX_UPLOAD_BYTES,
  UPLOAD_WORKBOOK_PATH,
  uploadRoutes,
  WORKBOOK_TEMPLATE_PATH,
} from "./upload-routes.js";

/** The public API is served under this path; the web UI's transport uses it as its base URL. */
export const API_PREFIX = "/api";

/** The built web UI that ships with the gateway (`web/dist`). */
export function defaultWebDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("@portal/web/package.json")), "dist");
}

/** The gateway: its own info RPC plus every other service's API, forwarded for the caller. */
export const gatewayService: ServiceDefinition = {
  name: "gateway",
  migrations: fileURLToPath(new URL("../migrations", import.meta.url)),
  // A deactivated or re-roled user's sessions end when identity says so.
  start: async (ctx) => {
    const sub = await ctx.platform.bus.subscribe(
      "gateway-sessions",
      USER_CHANGED,
      revokeSessionsOnUserChange({ db: ctx.platform.db, now: () => new Date() }),
    );
    return (graceMs) => sub.stop(graceMs);
  },
  routes: (ctx) => (router: ConnectRouter) => {
    // The gateway's own RPCs take no payload to speak of: the ordinary request cap applies.
    router.service(
      GatewayService,
      {
        getServiceInfo: async () => ({ info: await serviceInfo(ctx) }),
        getCaller: async (_req, hctx) => {
          const p = requirePrincipal(hctx);
          return { subject: p.subject, orgId: p.orgId, role: p.role };
        },
      },
      { readMaxBytes: MAX_REQUEST_BYTES },
    );
    forwardAll(ctx.clients)(router);
  },
};

/** The gateway's plain HTTP routes: the web UI and, with a local object store, its downloads. */
export function gatewayHttp(ctx: ServiceContext, webDir: string = defaultWebDir()) {
  const local = ctx.platform.localStore;
  return local ? chain(fileRoutes(local), webRoutes(webDir)) : webRoutes(webDir);
}
