import http2, { type ServerHttp2Stream } from "node:http2";
import { toJson } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { Role } from "@portal/api";
import type {
  UploadWorkbookStreamRequest,
  UploadWorkbookStreamResponse,
} from "@portal/api/funds/v1/funds";
import { UploadStatus, UploadWorkbookStreamResponseSchema } from "@portal/api/funds/v1/funds";
import type { HttpRequest, HttpResponse, HttpRoutes, Logger, Principal } from "@portal/runtime";
import { hasRole, sendJson } from "@portal/runtime";

/** `POST` a workbook's bytes here (raw body), with `?filename=` naming the file. */
export const UPLOAD_WORKBOOK_PATH = "/api/uploads/workbook";
/** `GET` the documented upload template (.xlsx) here. */
export const WORKBOOK_TEMPLATE_PATH = "/api/uploads/workbook-template";
/** The funds service's limit on a workbook: 50 MB. */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
/**
 * The body is passed on in messages of about this size (each at most 1 MiB, as the stream's
 * chunks must be): what the gateway holds of an upload at any moment.
 */
const CHUNK_BYTES = 256 * 1024;
const MAX_CHUNK_BYTES = 1024 * 1024;

type StreamMessage = { part: UploadWorkbookStreamRequest["part"] };

/** What the upload routes need from the gateway around them. */
export interface UploadRouteDeps {
  /**
   * The caller, from the request's credentials (session cookie with the CSRF header, API key, or
   * principal token): a principal the gateway vouches for, a token passed on as it is, or
   * undefined (anonymous). Throws ConnectError when a credential is refused.
   */
  credentials(
    header: Headers,
    method: string,
  ): Promise<{ principal: Principal } | { token: string } | undefined>;
  /** The principal token to send to the funds service for a principal the gateway vouches for. */
  sign(principal: Principal): Promise<string>;
  /** The funds service's UploadWorkbookStream, called with the caller's principal token. */
  uploadWorkbookStream(
    messages: AsyncIterable<StreamMessage>,
    principalToken: string,
    signal: AbortSignal,
  ): Promise<UploadWorkbookStreamResponse>;
  /** The funds service's GetWorkbookTemplate, called with the caller's principal token. */
  workbookTemplate(principalToken: string): Promise<{ filename: string; content: Uint8Array }>;
  log: Logger;
}

const httpStatus: Partial<Record<Code, number>> = {
  [Code.Unauthenticated]: 401,
  [Code.PermissionDenied]: 403,
  [Code.InvalidArgument]: 400,
  [Code.FailedPrecondition]: 400,
  [Code.NotFound]: 404,
  [Code.ResourceExhausted]: 429,
  [Code.Unavailable]: 503,
  [Code.DeadlineExceeded]: 504,
  [Code.Canceled]: 499,
};

function headersOf(req: HttpRequest): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (k.startsWith(":") || v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) h.append(k, x);
    else h.set(k, String(v));
  }
  return h;
}

/** The upload's declared size (Content-Length), or 0 when the body is chunked. */
function declaredSize(req: HttpRequest): number {
  const raw = req.headers["content-length"];
  const n = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : 0;
  return Number.isSafeInteger(n) ? n : 0;
}

/** The request body, one chunk at a time as the upload stream asks for it (back-pressure). */
interface BodyReader {
  /** The next chunk; undefined at the end. Throws when the client went away. */
  next(): Promise<Buffer | undefined>;
  /** Stops handing out chunks; what is still coming is left to be discarded. */
  stop(): void;
}

/**
 * Reads the body in flowing mode, paused between chunks: 'data' listeners (unlike the stream's
 * async iterator, whose 'readable' listener would keep resume() from discarding) can be removed,
 * so that after a refusal the rest of the body is drained rather than left in the socket.
 */
function bodyReader(req: HttpRequest): BodyReader {
  const chunks: Buffer[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onData = (c: Buffer) => {
    chunks.push(c);
    req.pause();
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (err: Error) => {
    failure = err;
    notify();
  };
  const onAborted = () => onError(new Error("the client went away"));
  req.on("data", onData);
  req.on("end", onEnd);
  req.on("error", onError);
  req.on("aborted", onAborted);
  req.pause();
  return {
    async next() {
      for (;;) {
        const c = chunks.shift();
        if (c) return c;
        if (failure) throw failure;
        if (ended) return undefined;
        const woken = new Promise<void>((r) => {
          wake = r;
        });
        req.resume();
        await woken;
      }
    },
    stop() {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("aborted", onAborted);
      chunks.length = 0;
      // An error after this is the client going away; nothing waits for it.
      req.off("error", onError);
      req.on("error", () => {});
    },
  };
}

/** How long a refused upload's client may go on sending after the answer before it is cut off. */
const LINGER_MS = 2000;

/**
 * After answering before the body's end (a refusal), stops taking the body without losing the
 * answer. HTTP/2: the stream is reset with NO_ERROR once the answer is sent, which asks the
 * client to stop sending (RFC 9113, 8.1). HTTP/1.1: what the client still sends is discarded
 * for a moment (a client stops when it sees the answer; closing at once could reset the
 * connection before the client has read the answer), then the connection is closed.
 */
function stopReading(req: HttpRequest, res: HttpResponse, reader?: BodyReader): void {
  reader?.stop();
  const stream = (req as { stream?: ServerHttp2Stream }).stream;
  if (stream) {
    const close = () => {
      if (!stream.closed) stream.close(http2.constants.NGHTTP2_NO_ERROR);
    };
    if (res.writableFinished) close();
    else res.once("finish", close);
    return;
  }
  const message = req as HttpRequest & { complete?: boolean };
  req.resume();
  if (message.complete || message.readableEnded) return;
  const socket = (req as { socket?: { destroy(): void; destroyed?: boolean } }).socket;
  const timer = setTimeout(() => {
    // Only while this request's body is still coming (the connection may serve another by now).
    if (!message.complete && socket && !socket.destroyed) socket.destroy();
  }, LINGER_MS);
  timer.unref();
  req.once("end", () => clearTimeout(timer));
  req.once("close", () => clearTimeout(timer));
}

/** A refusal as JSON: `{ error, code }`, with the HTTP status that says the same. */
function refuse(res: HttpResponse, status: number, error: string, code: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.setHeader("cache-control", "no-store");
  sendJson(res, status, { error, code });
}

/**
 * The browser's way to upload a workbook, streamed: `POST /api/uploads/workbook?filename=q1.xlsx`
 * with the file as the raw request body, authenticated as every API call is (session cookie plus
 * the `x-csrf-token` header, an API key, or a principal token), member role or above. The body is
 * passed on to the funds service's UploadWorkbookStream in chunks as it arrives, with
 * Content-Length as the header's declared size, so the gateway never holds more than a chunk and
 * the funds service checks the type, counts the bytes and writes the audit record exactly as for
 * any streamed upload. Answers:
 *
 * - 200: accepted; 422: rejected with problems (sheet, row, column, message); 415: refused for its
 *   type (the file is not an .xlsx or UTF-8 CSV, told by its content). The body is the RPC's
 *   response in its JSON form (`uploadId`, `status`, `funds` with `versionNumber` and `dataHash`,
 *   `problems`), plus `error` when refused.
 * - 413: more than 50 MB, refused as soon as the Content-Length or the bytes read pass it (the
 *   rest of the body is not passed on; see stopReading). Other refusals: 400 (a bad file name), 401, 403 (no CSRF
 *   header, or below member), 503; all as `{ error, code }`.
 *
 * `GET /api/uploads/workbook-template` (viewer and above) downloads the upload template.
 */
export function uploadRoutes(deps: UploadRouteDeps): HttpRoutes {
  // `?file_name=` is taken too, as the issue named it.
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === WORKBOOK_TEMPLATE_PATH) {
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.setHeader("allow", "GET, HEAD");
        refuse(res, 405, "download the template with GET", "method_not_allowed");
        return true;
      }
      await template(deps, req, res);
      return true;
    }
    if (url.pathname !== UPLOAD_WORKBOOK_PATH) return false;
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      refuse(res, 405, "upload the file's bytes with POST", "method_not_allowed");
      return true;
    }
    await upload(deps, req, res, url);
    return true;
  };
}

/** The caller's principal token for the funds service, or a refusal already answered. */
async function callerToken(
  deps: UploadRouteDeps,
  req: HttpRequest,
  res: HttpResponse,
  minRole: Role,
): Promise<string | undefined> {
  try {
    const c = await deps.credentials(headersOf(req), req.method ?? "");
    if (!c) {
      refuse(res, 401, "sign in first", "unauthenticated");
      return undefined;
    }
    if ("token" in c) return c.token;
    // Refused here, before the body is read; the funds service checks the role again.
    if (!hasRole(c.principal.role, minRole)) {
      refuse(res, 403, "uploading fund data needs the member role or above", "permission_denied");
      return undefined;
    }
    return await deps.sign(c.principal);
  } catch (err) {
    answerError(res, err, deps.log);
    return undefined;
  }
}

function answerError(res: HttpResponse, err: unknown, log: Logger): void {
  const e = ConnectError.from(err);
  const status = httpStatus[e.code];
  if (status === undefined) {
    log.error({ err }, "upload route failed");
    refuse(res, 500, "internal error", "internal");
    return;
  }
  refuse(
    res,
    status,
    e.rawMessage,
    Code[e.code]?.replace(/[A-Z]/g, (c, i) => (i ? `_${c.toLowerCase()}` : c.toLowerCase())) ??
      "unknown",
  );
}

async function template(deps: UploadRouteDeps, req: HttpRequest, res: HttpResponse) {
  const token = await callerToken(deps, req, res, Role.VIEWER);
  if (!token) return;
  try {
    const t = await deps.workbookTemplate(token);
    res.writeHead(200, {
      "content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "content-length": t.content.byteLength,
      "content-disposition": `attachment; filename="${t.filename.replace(/["\\\r\n]/g, "_")}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    });
    if (req.method === "HEAD") res.end();
    else res.end(t.content);
  } catch (err) {
    answerError(res, err, deps.log);
  }
}

async function upload(deps: UploadRouteDeps, req: HttpRequest, res: HttpResponse, url: URL) {
  const filename = url.searchParams.get("filename") ?? url.searchParams.get("file_name") ?? "";
  const declared = declaredSize(req);
  const token = await callerToken(deps, req, res, Role.MEMBER);
  if (!token) {
    stopReading(req, res);
    return;
  }
  let received = 0;
  let bodyEnded = false;
  const abort = new AbortController();
  const body = bodyReader(req);
  const onClose = () => {
    if (!bodyEnded) abort.abort(new ConnectError("the client went away", Code.Canceled));
  };
  req.once("aborted", onClose);

  async function* messages(): AsyncGenerator<StreamMessage> {
    yield { part: { case: "header", value: { filename, sizeBytes: BigInt(declared) } as never } };
    // The declared size over the limit: the funds service refuses the header alone.
    if (declared > MAX_UPLOAD_BYTES) return;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = function* (): Generator<StreamMessage> {
      const all = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      for (let at = 0; at < all.length; at += MAX_CHUNK_BYTES)
        yield { part: { case: "chunk", value: all.subarray(at, at + MAX_CHUNK_BYTES) } };
    };
    for (;;) {
      const chunk = await body.next();
      if (!chunk) break;
      received += chunk.length;
      pending.push(chunk);
      pendingBytes += chunk.length;
      // The first piece goes at once (the type is told by the first 4 kB); then ~256 kB at a time.
      if (pendingBytes >= CHUNK_BYTES || received === pendingBytes) yield* flush();
      // Past the limit: the funds service refuses on these bytes; nothing more is read.
      if (received > MAX_UPLOAD_BYTES) {
        if (pendingBytes) yield* flush();
        return;
      }
    }
    // A body cut short (the client went away) is an abandoned stream, not a short file.
    if (!(req as { complete?: boolean }).complete || abort.signal.aborted)
      throw new ConnectError("the client went away before the end of the file", Code.Canceled);
    bodyEnded = true;
    if (pendingBytes) yield* flush();
  }

  let result: UploadWorkbookStreamResponse;
  try {
    result = await deps.uploadWorkbookStream(messages(), token, abort.signal);
  } catch (err) {
    const e = ConnectError.from(err);
    const tooLarge =
      e.code === Code.InvalidArgument &&
      (declared > MAX_UPLOAD_BYTES || received > MAX_UPLOAD_BYTES);
    if (tooLarge) refuse(res, 413, e.rawMessage, "too_large");
    else if (!abort.signal.aborted) answerError(res, err, deps.log);
    if (!bodyEnded) stopReading(req, res, body);
    return;
  } finally {
    req.off("aborted", onClose);
  }
  if (!bodyEnded) stopReading(req, res, body);
  const json = toJson(UploadWorkbookStreamResponseSchema, result, {
    alwaysEmitImplicit: true,
  }) as Record<string, unknown>;
  if (result.status === UploadStatus.ACCEPTED) {
    res.setHeader("cache-control", "no-store");
    sendJson(res, 200, json);
    return;
  }
  // Rejected: for its type (every problem is about the file as a whole), or for its content.
  const fileLevel =
    result.problems.length > 0 && result.problems.every((p) => p.sheet === "(file)");
  const error = fileLevel
    ? result.problems.map((p) => p.message).join("; ")
    : `the workbook has ${result.problems.length} problem${result.problems.length === 1 ? "" : "s"}; nothing was stored`;
  res.setHeader("cache-control", "no-store");
  sendJson(res, fileLevel ? 415 : 422, {
    ...json,
    error,
    code: fileLevel ? "unsupported_type" : "invalid_workbook",
  });
}
