import type { HttpRoutes } from "@portal/runtime";
import { sendJson } from "@portal/runtime";
import type { JSONWebKeySet } from "jose";

export const JWKS_PATH = "/.well-known/jwks.json";

/** Publishes the public keys of principal tokens, which every service verifies calls against. */
export function jwksRoutes(jwks: JSONWebKeySet): HttpRoutes {
  return (req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== JWKS_PATH) return false;
    res.setHeader("cache-control", "public, max-age=300");
    sendJson(res, 200, jwks);
    return true;
  };
}
