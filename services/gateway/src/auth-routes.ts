import { Code, ConnectError } from "@connectrpc/connect";
import type { HttpRequest, HttpResponse, HttpRoutes } from "@portal/runtime";
import { sendJson } from "@portal/runtime";
import { clearedCookies, readCookie, SESSION_COOKIE, sessionCookies } from "./cookies.js";
import type { Session, SessionUser } from "./domain/sessions.js";
import { isCsrfValid, SESSION_TTL_MS } from "./domain/sessions.js";
import { CSRF_HEADER } from "./edge-auth.js";

export const LOGIN_PATH = "/auth/login";
export const LOGOUT_PATH = "/auth/logout";
export const PASSWORD_PATH = "/auth/password";
export const RESET_REQUEST_PATH = "/auth/reset-request";
export const RESET_PATH = "/auth/reset";
export const LOGIN_CODE_PATH = "/auth/login/code";
export const INVITE_ACCEPT_PATH = "/auth/invite/accept";
const PATHS = new Set([
  LOGIN_PATH,
  LOGIN_CODE_PATH,
  LOGOUT_PATH,
  PASSWORD_PATH,
  RESET_REQUEST_PATH,
  RESET_PATH,
  INVITE_ACCEPT_PATH,
]);
const MAX_BODY = 8 * 1024;

export interface AuthRouteDeps {
  /**
   * Checks the password with identity; throws ConnectError when the login fails. A user with a
   * second factor gets `{ mfaToken }` instead: no session until the code is verified.
   */
  verifyPassword(email: string, password: string): Promise<SessionUser | { mfaToken: string }>;
  /** Completes a login with its second factor (TOTP or recovery code); throws when refused. */
  verifySecondFactor(mfaToken: string, code: string): Promise<SessionUser>;
  /** Accepts an invitation with identity (sets the password); throws when refused. */
  acceptInvitation(token: string, password: string): Promise<SessionUser>;
  createSession(user: SessionUser): Promise<{ token: string; csrf: string; expiresAt: Date }>;
  findSession(token: string): Promise<Session | undefined>;
  revokeSession(session: Session): Promise<void>;
  /** Changes the password with identity; throws ConnectError when refused. */
  changePassword(session: Session, currentPassword: string, newPassword: string): Promise<void>;
  /** Revokes every session of the user. */
  revokeUserSessions(user: { orgId: string; userId: string }): Promise<number>;
  /** Records a logout in identity's access log. */
  recordLogout(session: Session): Promise<void>;
  /** Asks identity to mail a reset link (it says nothing about whether the email exists). */
  requestPasswordReset(email: string): Promise<void>;
  /** Resets the password with a mailed token; throws ConnectError when the token is refused. */
  resetPassword(token: string, newPassword: string): Promise<{ orgId: string; userId: string }>;
}

const status: Partial<Record<Code, number>> = {
  [Code.Unauthenticated]: 401,
  [Code.ResourceExhausted]: 429,
  [Code.InvalidArgument]: 400,
  [Code.PermissionDenied]: 403,
  [Code.NotFound]: 404,
  [Code.FailedPrecondition]: 400,
};

async function readJson(req: HttpRequest): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new ConnectError("request body too large", Code.InvalidArgument);
    chunks.push(c);
  }
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {}
  throw new ConnectError("body must be a JSON object", Code.InvalidArgument);
}

/**
 * A browser form on another site cannot send application/json without a CORS preflight, which we
 * never grant; an Origin header, when sent, must be this host. Together they stop login CSRF.
 */
function isSameOriginJson(req: HttpRequest): boolean {
  const type = String(req.headers["content-type"] ?? "")
    .split(";")[0]
    ?.trim();
  if (type !== "application/json") return false;
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * `POST /auth/login` with `{email, password}` starts a session: any session the browser already
 * had is revoked and a fresh one is issued (the token is rotated at every login), in an httpOnly,
 * Secure, SameSite=Strict cookie, with the CSRF token in the body and a readable cookie.
 * `POST /auth/logout` revokes the session and clears the cookies. `POST /auth/password` with
 * `{currentPassword, newPassword}` (session cookie and CSRF header) changes the password and
 * revokes all of the user's sessions. `POST /auth/reset-request` with `{email}` has identity mail
 * a reset link (same answer whether or not the email exists); `POST /auth/reset` with
 * `{token, newPassword}` uses the token up and revokes all of the user's sessions.
 *
 * A user with a second factor logs in in two steps: `POST /auth/login` answers
 * `{mfaRequired: true, mfaToken}` and sets no cookie; `POST /auth/login/code` with
 * `{mfaToken, code}` (a TOTP or recovery code) then starts the session. `POST /auth/invite/accept`
 * with `{token, password}` accepts a mailed invitation and starts a session for the new user.
 */
export function authRoutes(deps: AuthRouteDeps): HttpRoutes {
  return async (req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "POST" || !path || !PATHS.has(path)) return false;
    if (!isSameOriginJson(req)) {
      sendJson(res, 403, { error: "send application/json from the portal's own origin" });
      return true;
    }
    try {
      const old = readCookie(req.headers.cookie, SESSION_COOKIE);
      const current = old ? await deps.findSession(old) : undefined;
      if (path === LOGOUT_PATH) {
        if (current) {
          await deps.revokeSession(current);
          await deps.recordLogout(current);
        }
        setCookies(res, clearedCookies());
        sendJson(res, 200, { ok: true });
        return true;
      }
      const body = await readJson(req);
      const str = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : "");
      if (path === RESET_REQUEST_PATH) {
        await deps.requestPasswordReset(str("email"));
        sendJson(res, 200, {
          ok: true,
          message: "if the address belongs to a user, a link is on its way",
        });
        return true;
      }
      if (path === RESET_PATH) {
        const user = await deps.resetPassword(str("token"), str("newPassword"));
        await deps.revokeUserSessions(user);
        sendJson(res, 200, { ok: true });
        return true;
      }
      if (path === PASSWORD_PATH) {
        if (!current) throw new ConnectError("sign in first", Code.Unauthenticated);
        if (!isCsrfValid(current, headerOf(req, CSRF_HEADER))) {
          throw new ConnectError(`missing or wrong ${CSRF_HEADER} header`, Code.PermissionDenied);
        }
        await deps.changePassword(current, str("currentPassword"), str("newPassword"));
        // A changed password ends every session of the user, this one included; this browser
        // gets a fresh one.
        await deps.revokeUserSessions(current);
        const s = await deps.createSession(current);
        setCookies(res, sessionCookies(s.token, s.csrf, Math.floor(SESSION_TTL_MS / 1000)));
        sendJson(res, 200, { csrfToken: s.csrf });
        return true;
      }
      let user: SessionUser;
      if (path === LOGIN_CODE_PATH) {
        user = await deps.verifySecondFactor(str("mfaToken"), str("code"));
      } else if (path === INVITE_ACCEPT_PATH) {
        user = await deps.acceptInvitation(str("token"), str("password"));
      } else {
        const r = await deps.verifyPassword(str("email"), str("password"));
        if ("mfaToken" in r) {
          // The password was right; the session waits for the second factor.
          res.setHeader("cache-control", "no-store");
          sendJson(res, 200, { mfaRequired: true, mfaToken: r.mfaToken });
          return true;
        }
        user = r;
      }
      if (current) await deps.revokeSession(current);
      const s = await deps.createSession(user);
      setCookies(res, sessionCookies(s.token, s.csrf, Math.floor(SESSION_TTL_MS / 1000)));
      sendJson(res, 200, {
        csrfToken: s.csrf,
        userId: user.userId,
        orgId: user.orgId,
        role: user.role,
      });
    } catch (err) {
      if (!(err instanceof ConnectError) || status[err.code] === undefined) throw err;
      sendJson(res, status[err.code] as number, { error: err.rawMessage });
    }
    return true;
  };
}

function setCookies(res: HttpResponse, cookies: string[]) {
  res.setHeader("set-cookie", cookies);
  res.setHeader("cache-control", "no-store");
}

function headerOf(req: HttpRequest, name: string): string | null {
  const v = req.headers[name];
  return typeof v === "string" ? v : null;
}
