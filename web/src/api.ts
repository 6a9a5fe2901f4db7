import type { Interceptor } from "@connectrpc/connect";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { services } from "@portal/api";

/** The cookie the gateway sets beside the session: readable here, echoed as a header. */
const CSRF_COOKIE = "portal_csrf";
const CSRF_HEADER = "x-csrf-token";

function readCookie(name: string): string | undefined {
  for (const part of document.cookie.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** The session's CSRF token (readable beside the session cookie), for calls outside Connect. */
export function csrfToken(): string | undefined {
  return readCookie(CSRF_COOKIE);
}

/** A session-cookie call proves it comes from this page by echoing the CSRF token. */
const csrf: Interceptor = (next) => async (req) => {
  const token = csrfToken();
  if (token) req.header.set(CSRF_HEADER, token);
  return next(req);
};

/** The only place that knows where the API lives: the gateway's /api. */
const transport = createConnectTransport({ baseUrl: "/api", interceptors: [csrf] });

export const clients = Object.fromEntries(
  Object.entries(services).map(([name, desc]) => [name, createClient(desc, transport)]),
) as { [K in keyof typeof services]: ReturnType<typeof createClient<(typeof services)[K]>> };

/** A message a user can act on; internal details stay in the server logs. */
export function userMessage(err: unknown): string {
  const e = ConnectError.from(err);
  if (e.code === Code.InvalidArgument) return e.rawMessage;
  if (e.code === Code.FailedPrecondition) return e.rawMessage;
  if (e.code === Code.NotFound) return e.rawMessage || "Not found.";
  if (e.code === Code.Unauthenticated) return "Please sign in.";
  if (e.code === Code.PermissionDenied) return "You don't have access to this.";
  if (e.code === Code.Unavailable) return "The service is unavailable; try again shortly.";
  if (e.code === Code.Canceled) return "The request was cancelled.";
  return "Something went wrong. We've logged it.";
}

/** True when the error means the caller is not signed in (or the session ended). */
export function isUnauthenticated(err: unknown): boolean {
  return ConnectError.from(err).code === Code.Unauthenticated;
}

/** True when asking again cannot help: not signed in, not allowed, or no such thing. */
export function isFinalError(err: unknown): boolean {
  const code = ConnectError.from(err).code;
  return (
    code === Code.Unauthenticated ||
    code === Code.PermissionDenied ||
    code === Code.NotFound ||
    code === Code.InvalidArgument
  );
}

/** What a sign-in step answered: signed in, or a second factor is needed. */
export type SignInResult = { signedIn: true } | { signedIn: false; mfaToken: string };

async function postJson(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const msg = typeof data.error === "string" ? data.error : `sign-in failed (HTTP ${res.status})`;
    throw new Error(msg);
  }
  return data;
}

/** Signs in with email and password (`POST /auth/login`); the gateway sets the cookies. */
export async function signIn(email: string, password: string): Promise<SignInResult> {
  const data = await postJson("/auth/login", { email, password });
  if (data.mfaRequired === true && typeof data.mfaToken === "string") {
    return { signedIn: false, mfaToken: data.mfaToken };
  }
  return { signedIn: true };
}

/** Completes a sign-in with a TOTP or recovery code (`POST /auth/login/code`). */
export async function signInCode(mfaToken: string, code: string): Promise<void> {
  await postJson("/auth/login/code", { mfaToken, code });
}

/** Ends the session (`POST /auth/logout`). */
export async function signOut(): Promise<void> {
  await postJson("/auth/logout", {});
}
