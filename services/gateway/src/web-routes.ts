import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import type { HttpRoutes } from "@portal/runtime";
import { sendJson } from "@portal/runtime";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".map": "application/json",
  ".ico": "image/x-icon",
};

/** Serves the built web UI from `webDir`; unknown paths get index.html (client-side routes). */
export function webRoutes(webDir: string): HttpRoutes {
  return async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const path = decodeURIComponent((req.url ?? "/").split("?")[0] ?? "/");
    const rel = normalize(path).replace(/^([/\\])+/, "");
    if (rel.startsWith("..") || rel.includes(`${sep}..`)) return false;
    let file = join(webDir, rel || "index.html");
    const s = await stat(file).catch(() => undefined);
    if (!s?.isFile()) {
      if (extname(rel)) return false; // a missing asset is a 404, not the app
      file = join(webDir, "index.html");
      if (!(await stat(file).catch(() => undefined))) {
        sendJson(res, 503, { error: "web UI not built: run pnpm build" });
        return true;
      }
    }
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "x-content-type-options": "nosniff",
      "cache-control": file.endsWith("index.html") ? "no-cache" : "public, max-age=3600",
    });
    if (req.method === "HEAD") {
      res.end();
      return true;
    }
    createReadStream(file).pipe(res as NodeJS.WritableStream);
    return true;
  };
}

/** Serves presigned downloads of the local object store (embedded mode's stand-in for S3 URLs). */
export function fileRoutes(store: {
  get(key: string): Promise<Uint8Array>;
  verifyPresigned(key: string, expires: string, signature: string): boolean;
}): HttpRoutes {
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method !== "GET" || !url.pathname.startsWith("/files/")) return false;
    const key = decodeURIComponent(url.pathname.slice("/files/".length));
    const ok = store.verifyPresigned(
      key,
      url.searchParams.get("expires") ?? "",
      url.searchParams.get("signature") ?? "",
    );
    if (!ok) {
      sendJson(res, 403, { error: "link expired or invalid" });
      return true;
    }
    const body = await store.get(key).catch(() => undefined);
    if (!body) {
      sendJson(res, 404, { error: "not found" });
      return true;
    }
    res.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-length": body.byteLength,
    });
    res.end(body);
    return true;
  };
}

/** Runs route sets in order; the first that takes the request answers it. */
export function chain(...routes: HttpRoutes[]): HttpRoutes {
  return async (req, res) => {
    for (const r of routes) if (await r(req, res)) return true;
    return false;
  };
}
