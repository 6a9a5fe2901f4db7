import type { Database } from "@portal/runtime";
import { LOGIN_ROLE } from "@portal/runtime";
import { and, eq, gt, isNull } from "drizzle-orm";
import { accessLogs, invitations, organizations, users } from "../db/schema/index.js";
import { CredentialRefused, InvalidInput } from "./errors.js";
import type { LoggedIn } from "./login.js";
import type { UserRole } from "./roles.js";
import { MAX_EMAIL, MAX_NAME } from "./validate.js";

/**
 * Logs in the user an OpenID provider vouched for (the gateway verified the id_token). Users are
 * matched by lower-cased email; an invited user is activated by it (the invitation is used up),
 * an active user simply logs in, and nobody else is let in or created.
 */
export async function loginWithOidc(
  deps: { db: Database; now: () => Date },
  input: { issuer: string; subject: string; email: string; emailVerified: boolean },
): Promise<LoggedIn> {
  const now = deps.now();
  const email = input.email.trim().toLowerCase();
  if (email.length === 0 || email.length > MAX_EMAIL) {
    throw new InvalidInput("email", "the id_token carries no usable email claim");
  }
  if (input.issuer.length > MAX_NAME * 10 || input.subject.length > MAX_NAME * 10) {
    throw new InvalidInput("subject", "is too long");
  }
  const [u] = await deps.db.withRole(LOGIN_ROLE, (tx) =>
    tx
      .select({
        id: users.id,
        orgId: users.orgId,
        role: users.role,
        status: users.status,
        orgStatus: organizations.status,
      })
      .from(users)
      .innerJoin(organizations, eq(organizations.id, users.orgId))
      .where(eq(users.email, email)),
  );
  const refuse = async (detail: string, message: string): Promise<never> => {
    await deps.db.withRole(LOGIN_ROLE, (tx) =>
      tx.insert(accessLogs).values({
        orgId: u?.orgId ?? null,
        subject: u?.id ?? null,
        event: "login_failed",
        detail: `oidc: ${detail}`,
        at: now,
      }),
    );
    throw new CredentialRefused(message);
  };
  if (!input.emailVerified) {
    return refuse("email not verified", "the identity provider has not verified this email");
  }
  if (!u) return refuse("not invited", `${email} has no invitation to the portal`);
  if (u.orgStatus !== "active")
    return refuse("organisation deactivated", "the organisation is deactivated");
  if (u.status === "deactivated") return refuse("user deactivated", "this user is deactivated");
  const admitted = await deps.db.withOrg(u.orgId, async (tx) => {
    if (u.status === "invited") {
      const claimed = await tx
        .update(invitations)
        .set({ usedAt: now })
        .where(
          and(
            eq(invitations.userId, u.id),
            isNull(invitations.usedAt),
            gt(invitations.expiresAt, now),
          ),
        )
        .returning({ id: invitations.id });
      if (claimed.length === 0) return false;
      await tx
        .update(users)
        .set({ status: "active", updatedAt: now })
        .where(and(eq(users.id, u.id), eq(users.status, "invited")));
      await tx.insert(accessLogs).values({
        orgId: u.orgId,
        subject: u.id,
        event: "invitation_accepted",
        detail: `oidc ${input.issuer}`,
        at: now,
      });
    }
    await tx.insert(accessLogs).values({
      orgId: u.orgId,
      subject: u.id,
      event: "login",
      detail: `oidc ${input.issuer}`,
      at: now,
    });
    return true;
  });
  if (!admitted) {
    return refuse("invitation expired", "the invitation expired: ask for a new one");
  }
  return { userId: u.id, orgId: u.orgId, role: u.role as UserRole };
}
