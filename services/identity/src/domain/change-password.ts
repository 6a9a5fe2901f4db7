import type { Database } from "@portal/runtime";
import { and, eq } from "drizzle-orm";
import { accessLogs, users } from "../db/schema/index.js";
import { Forbidden, NotFound } from "./errors.js";
import type { PasswordParams } from "./passwords.js";
import { hashPassword, verifyPassword } from "./passwords.js";
import { parsePassword, parseUuid } from "./validate.js";

export interface ChangePasswordDeps {
  db: Database;
  now: () => Date;
  passwordParams: PasswordParams;
}

/**
 * Replaces a user's password after checking the current one, and records it in the access log.
 * The caller (the gateway) revokes the user's sessions when this returns.
 */
export async function changePassword(
  deps: ChangePasswordDeps,
  input: { orgId: string; userId: string; currentPassword: string; newPassword: string },
): Promise<void> {
  const orgId = parseUuid("org_id", input.orgId);
  const userId = parseUuid("user_id", input.userId);
  const password = parsePassword("new_password", input.newPassword);
  const hash = await hashPassword(password, deps.passwordParams);
  const now = deps.now();
  await deps.db.withOrg(orgId, async (tx) => {
    const [u] = await tx
      .select({ hash: users.passwordHash })
      .from(users)
      .where(and(eq(users.id, userId), eq(users.status, "active")))
      .for("update");
    if (!u) throw new NotFound(`user ${userId} not found`);
    if (!u.hash || !(await verifyPassword(u.hash, input.currentPassword))) {
      throw new Forbidden("current_password: is wrong");
    }
    await tx
      .update(users)
      .set({ passwordHash: hash, passwordChangedAt: now, updatedAt: now })
      .where(eq(users.id, userId));
    await tx
      .insert(accessLogs)
      .values({ orgId, subject: userId, event: "password_changed", at: now });
  });
}
