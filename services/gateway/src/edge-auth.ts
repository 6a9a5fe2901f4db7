import type { Interceptor } from "@connectrpc/connect";
import { PRINCIPAL_HEADER } from "@portal/runtime";

const BEARER = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

/**
 * Authentication at the edge. A caller proves who it is with `Authorization: Bearer <token>`;
 * the token becomes the principal forwarded to services, which verify it themselves. A principal
 * header sent from outside is dropped: only this interceptor sets it. (Sessions and API keys are
 * turned into principal tokens here too, once identity issues them.)
 */
export const edgeAuth: Interceptor = (next) => async (req) => {
  req.header.delete(PRINCIPAL_HEADER);
  const m = BEARER.exec(req.header.get("authorization") ?? "");
  if (m?.[1]) req.header.set(PRINCIPAL_HEADER, m[1]);
  return next(req);
};
