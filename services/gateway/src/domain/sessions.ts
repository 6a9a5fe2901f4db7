import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Database } from "@portal/runtime";
import { LOGIN_ROLE } from "@portal/runtime";
import { and, eq, isNull } from "drizzle-orm";
import { sessions } from "../db/sessions.js";

/** Sessions last at most this long after login (absolute, not sliding). */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface SessionDeps {
  db: Database;
  now: () => Date;
  random?: (n: number) => Buffer;
}

export interface SessionUser {
  userId: string;
  orgId: string;
  /** viewer | member | org_admin | super_admin */
  role: string;
}

export interface Session extends SessionUser {
  id: string;
  csrfHash: string;
}

/** Starts a session; returns the cookie token and the CSRF token, neither of which is stored. */
export async function createSession(
  deps: SessionDeps,
  user: SessionUser,
): Promise<{ token: string; csrf: string; expiresAt: Date }> {
  const rnd = deps.random ?? randomBytes;
  const token = rnd(32).toString("base64url");
  const csrf = rnd(32).toString("base64url");
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await deps.db.withOrg(user.orgId, (tx) =>
    tx.insert(sessions).values({
      userId: user.userId,
      orgId: user.orgId,
      role: user.role,
      tokenHash: sha256(token),
      csrfHash: sha256(csrf),
      createdAt: now,
      expiresAt,
    }),
  );
  return { token, csrf, expiresAt };
}

/** The live session a cookie token names, or undefined (unknown, expired or revoked). */
export async function findSession(deps: SessionDeps, token: string): Promise<Session | undefined> {
  if (!TOKEN.test(token)) return undefined;
  const [s] = await deps.db.withRole(LOGIN_ROLE, (tx) =>
    tx
      .select({
        id: sessions.id,
        userId: sessions.userId,
        orgId: sessions.orgId,
        role: sessions.role,
        csrfHash: sessions.csrfHash,
        expiresAt: sessions.expiresAt,
        revokedAt: sessions.revokedAt,
      })
      .from(sessions)
      .where(eq(sessions.tokenHash, sha256(token))),
  );
  if (!s || s.revokedAt !== null || s.expiresAt <= deps.now()) return undefined;
  return { id: s.id, userId: s.userId, orgId: s.orgId, role: s.role, csrfHash: s.csrfHash };
}

/** True when `csrf` is the session's CSRF token (compared in constant time). */
export function isCsrfValid(session: Session, csrf: string | null): boolean {
  if (!csrf) return false;
  const a = Buffer.from(sha256(csrf), "hex");
  const b = Buffer.from(session.csrfHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Revokes one session (logout, or the old session at a new login). */
export async function revokeSession(deps: SessionDeps, session: Session): Promise<void> {
  await deps.db.withOrg(session.orgId, (tx) =>
    tx
      .update(sessions)
      .set({ revokedAt: deps.now() })
      .where(and(eq(sessions.id, session.id), isNull(sessions.revokedAt))),
  );
}

/** Revokes every session of a user (password change, deactivation). */
export async function revokeUserSessions(
  deps: SessionDeps,
  user: { orgId: string; userId: string },
): Promise<number> {
  const rows = await deps.db.withOrg(user.orgId, (tx) =>
    tx
      .update(sessions)
      .set({ revokedAt: deps.now() })
      .where(and(eq(sessions.userId, user.userId), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id }),
  );
  return rows.length;
}
