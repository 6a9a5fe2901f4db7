import { createHash, randomBytes } from "node:crypto";
import type { Database } from "@portal/runtime";
import { LOGIN_ROLE } from "@portal/runtime";
import { and, eq, isNull } from "drizzle-orm";
import { accessLogs, organizations, passwordResetTokens, users } from "../db/schema/index.js";
import { CredentialRefused } from "./errors.js";
import type { Mailer } from "./mailer.js";
import type { PasswordParams } from "./passwords.js";
import { hashPassword } from "./passwords.js";
import { MAX_EMAIL, parsePassword } from "./validate.js";

/** A reset link works this long. */
export const RESET_TTL_MS = 30 * 60_000;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export interface ResetDeps {
  db: Database;
  now: () => Date;
  mailer: Mailer;
  passwordParams: PasswordParams;
  random?: (n: number) => Buffer;
}

/**
 * Mails a single-use reset link to an active user. Says nothing about whether the email exists:
 * the caller answers the same either way. Only the token's SHA-256 is stored.
 */
export async function requestPasswordReset(
  deps: ResetDeps,
  input: { email: string; resetUrlBase: string },
): Promise<void> {
  const now = deps.now();
  const email = input.email.trim().toLowerCase();
  if (!email || email.length > MAX_EMAIL) return;
  const [u] = await deps.db.withRole(LOGIN_ROLE, (tx) =>
    tx
      .select({
        id: users.id,
        orgId: users.orgId,
        status: users.status,
        orgStatus: organizations.status,
      })
      .from(users)
      .innerJoin(organizations, eq(organizations.id, users.orgId))
      .where(eq(users.email, email)),
  );
  if (u?.status !== "active" || u.orgStatus !== "active") {
    await deps.db.withRole(LOGIN_ROLE, (tx) =>
      tx.insert(accessLogs).values({
        orgId: u?.orgId ?? null,
        subject: u?.id ?? null,
        event: "reset_refused",
        detail: u ? "inactive" : "unknown email",
        at: now,
      }),
    );
    return;
  }
  const token = (deps.random ?? randomBytes)(32).toString("base64url");
  await deps.db.withOrg(u.orgId, async (tx) => {
    await tx.insert(passwordResetTokens).values({
      orgId: u.orgId,
      userId: u.id,
      tokenHash: sha256(token),
      createdAt: now,
      expiresAt: new Date(now.getTime() + RESET_TTL_MS),
    });
    await tx
      .insert(accessLogs)
      .values({ orgId: u.orgId, subject: u.id, event: "reset_requested", at: now });
  });
  await deps.mailer.send({
    to: email,
    subject: "Reset your portal password",
    text: `Someone asked to reset your password. If it was you, open this link within 30 minutes:\n\n${input.resetUrlBase}${token}\n\nIf not, ignore this mail.`,
  });
}

/** Sets a new password with a reset token and uses the token up; refuses it a second time. */
export async function resetPassword(
  deps: ResetDeps,
  input: { token: string; newPassword: string },
): Promise<{ userId: string; orgId: string }> {
  const password = parsePassword("new_password", input.newPassword);
  const now = deps.now();
  if (!TOKEN.test(input.token)) throw new CredentialRefused("malformed reset token");
  const [t] = await deps.db.withRole(LOGIN_ROLE, (tx) =>
    tx
      .select({
        id: passwordResetTokens.id,
        orgId: passwordResetTokens.orgId,
        userId: passwordResetTokens.userId,
        expiresAt: passwordResetTokens.expiresAt,
        usedAt: passwordResetTokens.usedAt,
      })
      .from(passwordResetTokens)
      .where(eq(passwordResetTokens.tokenHash, sha256(input.token))),
  );
  if (!t) throw new CredentialRefused("unknown reset token");
  if (t.usedAt) throw new CredentialRefused("reset token already used");
  if (t.expiresAt <= now) throw new CredentialRefused("reset token expired");
  const hash = await hashPassword(password, deps.passwordParams);
  await deps.db.withOrg(t.orgId, async (tx) => {
    // Claimed with a conditional update, so two concurrent uses cannot both succeed.
    const claimed = await tx
      .update(passwordResetTokens)
      .set({ usedAt: now })
      .where(and(eq(passwordResetTokens.id, t.id), isNull(passwordResetTokens.usedAt)))
      .returning({ id: passwordResetTokens.id });
    if (claimed.length === 0) throw new CredentialRefused("reset token already used");
    await tx
      .update(users)
      .set({
        passwordHash: hash,
        passwordChangedAt: now,
        failedLogins: 0,
        lockedUntil: null,
        updatedAt: now,
      })
      .where(eq(users.id, t.userId));
    await tx
      .insert(accessLogs)
      .values({ orgId: t.orgId, subject: t.userId, event: "password_reset", at: now });
  });
  return { userId: t.userId, orgId: t.orgId };
}

/** Appends a session event the gateway saw (logout) to the access log. */
export async function recordAccess(
  db: Database,
  input: { orgId: string; userId: string; event: "logout" },
  now: Date,
): Promise<void> {
  await db.withOrg(input.orgId, (tx) =>
    tx
      .insert(accessLogs)
      .values({ orgId: input.orgId, subject: input.userId, event: input.event, at: now }),
  );
}
