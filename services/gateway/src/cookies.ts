/** The session cookie: httpOnly, so page scripts cannot read it. */
export const SESSION_COOKIE = "portal_session";
/** The CSRF token cookie: readable by the portal's own scripts, which echo it in a header. */
export const CSRF_COOKIE = "portal_csrf";

/** One cookie's value from a Cookie header, or undefined. */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** Set-Cookie values for a new session (secure, SameSite=Strict, bounded by the session's expiry). */
export function sessionCookies(token: string, csrf: string, maxAgeSeconds: number): string[] {
  const common = `Path=/; Secure; SameSite=Strict; Max-Age=${maxAgeSeconds}`;
  return [`${SESSION_COOKIE}=${token}; HttpOnly; ${common}`, `${CSRF_COOKIE}=${csrf}; ${common}`];
}

/** Set-Cookie values that remove both cookies. */
export function clearedCookies(): string[] {
  const common = "Path=/; Secure; SameSite=Strict; Max-Age=0";
  return [`${SESSION_COOKIE}=; HttpOnly; ${common}`, `${CSRF_COOKIE}=; ${common}`];
}
