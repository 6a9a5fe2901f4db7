import type { Database } from "@portal/runtime";
import { LOGIN_ROLE } from "@portal/runtime";
import { and, eq, isNull, sql } from "drizzle-orm";
import { accessLogs, mfaChallenges, organizations, users } from "../db/schema/index.js";
import { CredentialRefused, InvalidInput, LoginFailed, PreconditionFailed } from "./errors.js";
import { countFailure } from "./lockout.js";
import type { LoggedIn } from "./login.js";
import { checkSecondFactor, sha256 } from "./mfa.js";
import type { UserRole } from "./roles.js";
import type { SecretBox } from "./secret-box.js";

/** Wrong codes allowed per challenge; then the password must be entered again. */
export const MAX_CHALLENGE_ATTEMPTS = 5;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface SecondFactorDeps {
  db: Database;
  now: () => Date;
  secretBox?: SecretBox | undefined;
}

/**
 * The second step of a login: checks a TOTP or recovery code against the challenge the password
 * step left. A wrong code counts against the challenge (MAX_CHALLENGE_ATTEMPTS) and against the
 * user's failed-login counter (the same lock-out as wrong passwords); a code already accepted in
 * its 30-second step is refused as a replay. Failures are recorded before the error is thrown.
 */
export async function verifySecondFactor(
  deps: SecondFactorDeps,
  input: { mfaToken: string; code: string },
): Promise<LoggedIn> {
  const now = deps.now();
  if (!TOKEN.test(input.mfaToken)) throw new CredentialRefused("malformed login token");
  const code = input.code.trim();
  if (code.length === 0) throw new InvalidInput("code", "is required");
  if (code.length > 32) throw new InvalidInput("code", "is longer than any code we issue");
  if (!deps.secretBox) throw new PreconditionFailed("TOTP is not configured on this server");
  const box = deps.secretBox;
  const [c] = await deps.db.withRole(LOGIN_ROLE, (tx) =>
    tx
      .select({
        id: mfaChallenges.id,
        orgId: mfaChallenges.orgId,
        userId: mfaChallenges.userId,
        attempts: mfaChallenges.attempts,
        expiresAt: mfaChallenges.expiresAt,
        usedAt: mfaChallenges.usedAt,
        role: users.role,
        status: users.status,
        lockedUntil: users.lockedUntil,
        orgStatus: organizations.status,
      })
      .from(mfaChallenges)
      .innerJoin(users, eq(users.id, mfaChallenges.userId))
      .innerJoin(organizations, eq(organizations.id, mfaChallenges.orgId))
      .where(eq(mfaChallenges.tokenHash, sha256(input.mfaToken))),
  );
  if (!c) throw new CredentialRefused("unknown login token: sign in again");
  if (c.usedAt) throw new CredentialRefused("login token already used: sign in again");
  if (c.expiresAt <= now) throw new CredentialRefused("login token expired: sign in again");
  if (c.attempts >= MAX_CHALLENGE_ATTEMPTS) {
    throw new CredentialRefused("too many wrong codes: sign in again");
  }
  if (c.status !== "active" || c.orgStatus !== "active") throw new LoginFailed();
  if (c.lockedUntil && c.lockedUntil > now) {
    throw new LoginFailed(Math.ceil((c.lockedUntil.getTime() - now.getTime()) / 1000));
  }
  const outcome = await deps.db.withOrg(c.orgId, async (tx) => {
    const log = (event: string, detail: string) =>
      tx.insert(accessLogs).values({ orgId: c.orgId, subject: c.userId, event, detail, at: now });
    // The challenge is claimed first, conditionally: two concurrent attempts cannot both use it.
    const [claimed] = await tx
      .update(mfaChallenges)
      .set({ attempts: sql`${mfaChallenges.attempts} + 1` })
      .where(
        and(
          eq(mfaChallenges.id, c.id),
          isNull(mfaChallenges.usedAt),
          sql`${mfaChallenges.attempts} < ${MAX_CHALLENGE_ATTEMPTS}`,
        ),
      )
      .returning({ id: mfaChallenges.id });
    if (!claimed) return { ok: false as const, reason: "login token already used" };
    const check = await checkSecondFactor(tx, box, c.userId, code, now);
    if (!check.ok) {
      await countFailure(tx, c.userId, now);
      await log("login_failed", check.reason);
      return check;
    }
    await tx.update(mfaChallenges).set({ usedAt: now }).where(eq(mfaChallenges.id, c.id));
    await tx
      .update(users)
      .set({ failedLogins: 0, lockedUntil: null })
      .where(eq(users.id, c.userId));
    await log("login", check.method);
    return check;
  });
  if (!outcome.ok) {
    throw new CredentialRefused(
      outcome.reason === "replayed code"
        ? "that code was already used: wait for the next one"
        : outcome.reason === "login token already used"
          ? "login token already used: sign in again"
          : "wrong code",
    );
  }
  return { userId: c.userId, orgId: c.orgId, role: c.role as UserRole };
}
