import { randomUUID } from "node:crypto";
import type { Interceptor } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { trace } from "@opentelemetry/api";
import { minRoleOf, Role } from "@portal/api";
import {
  kLog,
  kPrincipal,
  kPrincipalToken,
  kRequestId,
  PRINCIPAL_HEADER,
  REQUEST_ID_HEADER,
} from "./context.js";
import type { Logger } from "./logger.js";
import type { Principal, PrincipalVerifier } from "./principal.js";
import { hasRole, roleName } from "./principal.js";

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Gives each call a request id (the caller's, when it sent a sane one), binds a child logger to it,
 * returns it in a response header, and logs the outcome. Errors the handler did not map are logged
 * with their cause and answered as a generic internal error, so no internal detail leaks out.
 */
export function requestLog(root: Logger): Interceptor {
  return (next) => async (req) => {
    const sent = req.header.get(REQUEST_ID_HEADER);
    const requestId = sent && REQUEST_ID.test(sent) ? sent : randomUUID();
    const traceId = trace.getActiveSpan()?.spanContext().traceId;
    const log = root.child({
      requestId,
      rpc: `${req.service.typeName}/${req.method.name}`,
      traceId,
    });
    req.contextValues.set(kRequestId, requestId);
    req.contextValues.set(kLog, log);
    const started = performance.now();
    try {
      const res = await next(req);
      res.header.set(REQUEST_ID_HEADER, requestId);
      log.debug({ ms: Math.round(performance.now() - started) }, "rpc ok");
      return res;
    } catch (err) {
      const ce = ConnectError.from(err);
      const ms = Math.round(performance.now() - started);
      if (err instanceof ConnectError && ce.code !== Code.Internal && ce.code !== Code.Unknown) {
        log.info({ ms, code: Code[ce.code] }, "rpc refused");
        throw Object.assign(ce, { metadata: withRequestId(ce.metadata, requestId) });
      }
      log.error({ ms, err, cause: ce.cause }, "rpc failed");
      throw new ConnectError(
        `internal error (request ${requestId})`,
        Code.Internal,
        withRequestId(undefined, requestId),
        undefined,
        err,
      );
    }
  };
}

function withRequestId(h: Headers | undefined, requestId: string): Headers {
  const out = new Headers(h);
  out.set(REQUEST_ID_HEADER, requestId);
  return out;
}

/**
 * Enforces each RPC's declared minimum role (the `(portal.auth.v1.min_role)` option in proto/).
 * Verifies the principal token when one is sent; refuses calls without one unless the RPC is
 * public; refuses every call to an RPC that declared no role, so a forgotten declaration fails
 * closed.
 */
export function authorize(verifier: PrincipalVerifier): Interceptor {
  return (next) => async (req) => {
    const min = minRoleOf(req.method);
    if (min === Role.UNSPECIFIED) {
      throw new ConnectError(`${req.method.name} declares no minimum role`, Code.PermissionDenied);
    }
    const token = req.header.get(PRINCIPAL_HEADER);
    if (token) {
      let principal: Principal;
      try {
        principal = await verifier.verify(token);
      } catch (err) {
        throw new ConnectError(
          "invalid or expired principal token",
          Code.Unauthenticated,
          undefined,
          undefined,
          err,
        );
      }
      if (!hasRole(principal.role, min)) {
        throw new ConnectError(
          `${req.method.name} requires role ${roleName(min)}`,
          Code.PermissionDenied,
        );
      }
      req.contextValues.set(kPrincipal, principal);
      req.contextValues.set(kPrincipalToken, token);
      req.contextValues.set(kLog, req.contextValues.get(kLog).child({ orgId: principal.orgId }));
    } else if (min !== Role.PUBLIC) {
      throw new ConnectError("authentication required", Code.Unauthenticated);
    }
    return next(req);
  };
}
