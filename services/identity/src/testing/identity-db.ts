import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Role } from "@portal/api";
import type { Database } from "@portal/runtime";
import { openDatabase } from "@portal/runtime";
import { createTestDatabase, postgresUp } from "@portal/test-kit";
import { sql } from "drizzle-orm";
import type { PasswordParams } from "../domain/passwords.js";
import { hashPassword } from "../domain/passwords.js";
import type { Actor } from "../domain/scope.js";

export const MIGRATIONS = fileURLToPath(new URL("../../migrations", import.meta.url));

/** argon2id at a test-sized cost (production defaults are in passwords.ts). */
export const TEST_PASSWORD_PARAMS: PasswordParams = {
  memoryCost: 256,
  timeCost: 1,
  parallelism: 1,
};

export interface DbImpl {
  name: string;
  up: () => boolean;
  open: () => Promise<{ db: Database; cleanup: () => Promise<void> }>;
}

/** Both database implementations, migrated with the identity schema. */
export const dbImpls: DbImpl[] = [
  {
    name: "pglite",
    up: () => true,
    open: async () => {
      const db = await openDatabase({});
      await db.migrate("identity", MIGRATIONS);
      return { db, cleanup: () => db.close() };
    },
  },
  {
    name: "postgres",
    up: postgresUp,
    open: async () => {
      const t = await createTestDatabase();
      const db = await openDatabase({ url: t.url, poolSize: 4 });
      await db.migrate("identity", MIGRATIONS);
      return {
        db,
        cleanup: async () => {
          await db.close();
          await t.drop();
        },
      };
    },
  },
];

export const superAdmin = (orgId = "00000000-0000-4000-8000-000000000000"): Actor => ({
  subject: "10000000-0000-4000-8000-000000000001",
  orgId,
  role: Role.SUPER_ADMIN,
});

/** Seeds an organisation and one user per role directly (as the owner), returning their actors. */
export async function seedOrg(db: Database, slug: string, password?: string) {
  const orgId = randomUUID();
  await db.db.execute(
    sql`INSERT INTO identity.organizations (id, slug, name) VALUES (${orgId}, ${slug}, ${slug})`,
  );
  const hash = password ? await hashPassword(password, TEST_PASSWORD_PARAMS) : null;
  const roles = { viewer: Role.VIEWER, member: Role.MEMBER, org_admin: Role.ORG_ADMIN } as const;
  const actors = {} as Record<keyof typeof roles, Actor & { email: string }>;
  for (const [name, role] of Object.entries(roles) as [keyof typeof roles, Role][]) {
    const id = randomUUID();
    const email = `${name}@${slug}.example`;
    await db.db.execute(
      sql`INSERT INTO identity.users (id, org_id, email, display_name, role, password_hash)
          VALUES (${id}, ${orgId}, ${email}, ${name}, ${name}, ${hash})`,
    );
    actors[name] = { subject: id, orgId, role, email };
  }
  return { orgId, ...actors };
}

export const rowsOf = (r: unknown) =>
  (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Record<string, unknown>[];
