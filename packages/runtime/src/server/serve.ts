import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { Logger } from "../logger.js";
import type { Listener } from "./listen.js";
import { listen } from "./listen.js";

export type HttpRequest = IncomingMessage | Http2ServerRequest;
export type HttpResponse = ServerResponse | Http2ServerResponse;
/** Plain HTTP routes beside the API; returns false when the request is not theirs. */
export type HttpRoutes = (req: HttpRequest, res: HttpResponse) => boolean | Promise<boolean>;

export interface ServeOptions {
  port: number;
  host: string;
  log: Logger;
  routes: (router: ConnectRouter) => void;
  interceptors: Interceptor[];
  /** Path under which the Connect API is served, e.g. "/api" on the gateway. */
  apiPrefix?: string;
  /** Extra HTTP routes (web UI, downloads, JWKS). */
  http?: HttpRoutes;
  /** Readiness: every dependency answers. */
  ready: () => Promise<{ ok: boolean; checks: unknown }>;
}

export function sendJson(res: HttpResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Serves the Connect API (Connect, gRPC and gRPC-Web on one port), `/healthz` (the process is
 * alive) and `/readyz` (its dependencies answer), and the extra HTTP routes.
 */
export async function serve(opts: ServeOptions): Promise<Listener> {
  const fallback = async (req: HttpRequest, res: HttpResponse) => {
    try {
      const path = (req.url ?? "/").split("?")[0];
      if (path === "/healthz") return sendJson(res, 200, { ok: true });
      if (path === "/readyz") {
        const r = await opts.ready();
        return sendJson(res, r.ok ? 200 : 503, r);
      }
      if (opts.http && (await opts.http(req, res))) return;
      sendJson(res, 404, { error: `no route for ${req.method} ${path}` });
    } catch (err) {
      opts.log.error({ err, url: req.url }, "http route failed");
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
    }
  };
  const handler = connectNodeAdapter({
    routes: opts.routes,
    interceptors: opts.interceptors,
    ...(opts.apiPrefix ? { requestPathPrefix: opts.apiPrefix } : {}),
    fallback: (req, res) => void fallback(req, res as HttpResponse),
  });
  const listener = await listen(handler, opts.port, opts.host);
  opts.log.info({ port: listener.port }, "listening (Connect, gRPC, gRPC-Web)");
  return listener;
}
