import { Role } from "@portal/api";
import type { Database } from "@portal/runtime";
import { CROSS_ORG_ROLE } from "@portal/runtime";
import { eq } from "drizzle-orm";
import { organizations, users } from "../db/schema/index.js";
import type { PasswordParams } from "./passwords.js";
import { hashPassword } from "./passwords.js";
import { logAdminChange } from "./scope.js";
import { parseEmail, parsePassword } from "./validate.js";

export const PLATFORM_ORG_SLUG = "platform";
/**
 * The platform organisation's id, fixed so that every service can name it without asking: the
 * runs service keeps simulation studies under it (services/runs, simulation.ts), and a super
 * admin's session carries it, so the super admin reads those studies' runs, tasks and logs with
 * their own session.
 */
export const PLATFORM_ORG_ID = "00000000-0000-4000-8000-000000000000";

/**
 * Creates the first super admin (in the "platform" organisation, id PLATFORM_ORG_ID) when no user
 * has that email yet, so a fresh installation can be administered. Does nothing on later starts.
 * An installation whose platform organisation was made before its id was fixed keeps its id.
 */
export async function bootstrapSuperAdmin(
  db: Database,
  input: { email: string; password: string },
  opts: { passwordParams: PasswordParams; now: Date },
): Promise<{ created: boolean; orgId: string; userId: string }> {
  const email = parseEmail("BOOTSTRAP_ADMIN_EMAIL", input.email);
  const password = parsePassword("BOOTSTRAP_ADMIN_PASSWORD", input.password);
  const passwordHash = await hashPassword(password, opts.passwordParams);
  return db.withRole(CROSS_ORG_ROLE, async (tx) => {
    const [existing] = await tx.select().from(users).where(eq(users.email, email));
    if (existing) return { created: false, orgId: existing.orgId, userId: existing.id };
    let [org] = await tx
      .select()
      .from(organizations)
      .where(eq(organizations.slug, PLATFORM_ORG_SLUG));
    if (!org) {
      [org] = await tx
        .insert(organizations)
        .values({
          id: PLATFORM_ORG_ID,
          slug: PLATFORM_ORG_SLUG,
          name: "Platform",
          createdAt: opts.now,
          updatedAt: opts.now,
        })
        .returning();
    }
    if (!org) throw new Error("could not create the platform organisation");
    const [user] = await tx
      .insert(users)
      .values({
        orgId: org.id,
        email,
        displayName: "Administrator",
        role: "super_admin",
        passwordHash,
        passwordChangedAt: opts.now,
        createdAt: opts.now,
        updatedAt: opts.now,
      })
      .returning();
    if (!user) throw new Error("could not create the super admin");
    const actor = { subject: "bootstrap", orgId: org.id, role: Role.SUPER_ADMIN };
    await logAdminChange(tx, actor, opts.now, {
      orgId: org.id,
      action: "user.bootstrap",
      targetType: "user",
      targetId: user.id,
      before: null,
      after: { id: user.id, email, role: "super_admin" },
    });
    return { created: true, orgId: org.id, userId: user.id };
  });
}
