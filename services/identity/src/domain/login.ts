import type { Database } from "@portal/runtime";
import { LOGIN_ROLE } from "@portal/runtime";
import { eq } from "drizzle-orm";
import { accessLogs, mfaChallenges, organizations, users } from "../db/schema/index.js";
import { LoginFailed } from "./errors.js";
import { countFailure } from "./lockout.js";
import { hasSecondFactor, newToken, sha256 } from "./mfa.js";
import type { PasswordParams } from "./passwords.js";
import { hashPassword, verifyPassword } from "./passwords.js";
import type { UserRole } from "./roles.js";
import { MAX_EMAIL, MAX_PASSWORD } from "./validate.js";

export { FIRST_LOCK_MS, FREE_FAILURES, lockDurationMs, MAX_LOCK_MS } from "./lockout.js";

/** A login waiting for its second factor expires after this long. */
export const MFA_CHALLENGE_TTL_MS = 5 * 60_000;

export interface LoginDeps {
  db: Database;
  now: () => Date;
  passwordParams: PasswordParams;
  random?: (n: number) => Buffer;
}

export interface LoggedIn {
  userId: string;
  orgId: string;
  role: UserRole;
}

/** The password was right but the user has a second factor: the login continues with a code. */
export interface SecondFactorDue {
  mfaToken: string;
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks an email and password. The lookup runs as `portal_login`, which may read only the columns
 * a login needs, because the organisation is not known yet; the counters and the access log are
 * then written for the user's organisation. Unknown emails still cost one hash verification, so
 * response time does not tell which emails exist. A user with a second factor gets a
 * SecondFactorDue instead: no session may start until `verifySecondFactor` accepts a code, and the
 * failure counter is not reset yet (so a known password does not buy unlimited code guesses).
 */
export async function loginWithPassword(
  deps: LoginDeps,
  input: { email: string; password: string },
): Promise<LoggedIn | SecondFactorDue> {
  const now = deps.now();
  const email = input.email.trim().toLowerCase();
  if (email.length === 0 || email.length > MAX_EMAIL || input.password.length > MAX_PASSWORD) {
    throw new LoginFailed();
  }
  const [found] = await deps.db.withRole(LOGIN_ROLE, (tx) =>
    tx
      .select({
        id: users.id,
        orgId: users.orgId,
        role: users.role,
        status: users.status,
        passwordHash: users.passwordHash,
        failedLogins: users.failedLogins,
        lockedUntil: users.lockedUntil,
        orgStatus: organizations.status,
      })
      .from(users)
      .innerJoin(organizations, eq(organizations.id, users.orgId))
      .where(eq(users.email, email)),
  );
  const record = (event: string, detail: string | null) =>
    deps.db.withRole(LOGIN_ROLE, (tx) =>
      tx.insert(accessLogs).values({
        orgId: found?.orgId ?? null,
        subject: found?.id ?? null,
        event,
        detail,
        at: now,
      }),
    );

  if (!found) {
    dummyHash ??= hashPassword("not a real password", deps.passwordParams);
    await verifyPassword(await dummyHash, input.password);
    await record("login_failed", "unknown email");
    throw new LoginFailed();
  }
  if (found.lockedUntil && found.lockedUntil > now) {
    await record("login_failed", "locked");
    throw new LoginFailed(Math.ceil((found.lockedUntil.getTime() - now.getTime()) / 1000));
  }
  const ok =
    found.passwordHash !== null && (await verifyPassword(found.passwordHash, input.password));
  if (!ok) {
    await deps.db.withOrg(found.orgId, (tx) => countFailure(tx, found.id, now));
    await record(
      "login_failed",
      found.passwordHash === null ? "no password set" : "wrong password",
    );
    throw new LoginFailed();
  }
  if (found.status !== "active" || found.orgStatus !== "active") {
    await record(
      "login_failed",
      found.status !== "active" ? "user deactivated" : "organisation deactivated",
    );
    throw new LoginFailed();
  }
  const mfaToken = await deps.db.withOrg(found.orgId, async (tx) => {
    if (!(await hasSecondFactor(tx, found.id))) {
      await tx
        .update(users)
        .set({ failedLogins: 0, lockedUntil: null })
        .where(eq(users.id, found.id));
      return null;
    }
    const token = newToken(deps);
    await tx.insert(mfaChallenges).values({
      orgId: found.orgId,
      userId: found.id,
      tokenHash: sha256(token),
      createdAt: now,
      expiresAt: new Date(now.getTime() + MFA_CHALLENGE_TTL_MS),
    });
    return token;
  });
  if (mfaToken) {
    await record("login_second_factor_due", null);
    return { mfaToken };
  }
  await record("login", null);
  return { userId: found.id, orgId: found.orgId, role: found.role as UserRole };
}
