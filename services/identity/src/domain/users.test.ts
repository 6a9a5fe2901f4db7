import { Role } from "@portal/api";
import type { Database } from "@portal/runtime";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dbImpls,
  rowsOf,
  seedOrg,
  superAdmin,
  TEST_PASSWORD_PARAMS,
} from "../testing/identity-db.js";
import { Conflict, Forbidden, InvalidInput, NotFound } from "./errors.js";
import type { UserDeps } from "./users.js";
import { createUser, deactivateUser, listUsers, updateUser } from "./users.js";

const now = new Date("2026-01-02T03:04:05Z");
const snapshot = async (db: Database) =>
  rowsOf(
    await db.db.execute(
      sql`SELECT id, email, role, status, display_name FROM identity.users ORDER BY id`,
    ),
  );

// The domain logic runs the same on both implementations (organizations.test.ts covers both); one
// is enough here.
const impl =
  dbImpls.find((i) => i.up() && i.name === "postgres") ?? (dbImpls[0] as (typeof dbImpls)[0]);

describe(`users (${impl.name})`, () => {
  let db: Database;
  let deps: UserDeps;
  let cleanup: () => Promise<void>;
  let acme: Awaited<ReturnType<typeof seedOrg>>;
  let globex: Awaited<ReturnType<typeof seedOrg>>;
  beforeAll(async () => {
    ({ db, cleanup } = await impl.open());
    deps = { db, now: () => now, passwordParams: TEST_PASSWORD_PARAMS };
    acme = await seedOrg(db, "acme");
    globex = await seedOrg(db, "globex");
  });
  afterAll(() => cleanup?.());

  it("lets an org admin add a user with a lower-cased email and an argon2id password hash", async () => {
    const u = await createUser(deps, acme.org_admin, {
      orgId: acme.orgId,
      email: "  Jane.Doe@Acme.Example ",
      displayName: "Jane",
      role: Role.MEMBER,
      initialPassword: "correct horse battery",
    });
    expect(u).toMatchObject({ email: "jane.doe@acme.example", role: "member", orgId: acme.orgId });
    expect(u.passwordHash).toMatch(/^\$argon2id\$/);
    const log = rowsOf(
      await db.db.execute(sql`SELECT after FROM identity.admin_logs WHERE target_id = ${u.id}`),
    );
    expect(log).toHaveLength(1);
    expect(JSON.stringify(log[0]?.after)).not.toContain("argon2");
  });

  it.each([
    ["an invalid email", { email: "not-an-email" }, /email: "not-an-email" is not a valid email/],
    ["an overlong email", { email: `${"a".repeat(250)}@x.io` }, /email: is 255 characters/],
    ["an overlong name", { displayName: "n".repeat(201) }, /display_name: is 201 characters/],
    ["a control character", { displayName: "bob\u0000" }, /display_name: contains control/],
    ["a short password", { initialPassword: "short" }, /initial_password: must be at least 12/],
    ["no role", { role: Role.UNSPECIFIED }, /role: must be one of/],
    ["the service role", { role: Role.SERVICE }, /role: must be one of/],
  ])("refuses %s with a clear error and changes nothing", async (_l, patch, msg) => {
    const before = await snapshot(db);
    const err = await createUser(deps, acme.org_admin, {
      orgId: acme.orgId,
      email: "new@acme.example",
      displayName: "New",
      role: Role.VIEWER,
      ...patch,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidInput);
    expect(err.message).toMatch(msg);
    expect(await snapshot(db)).toEqual(before);
  });

  it("refuses a duplicate email, whatever its case", async () => {
    await expect(
      createUser(deps, acme.org_admin, {
        orgId: acme.orgId,
        email: "VIEWER@acme.example",
        displayName: "Dup",
        role: Role.VIEWER,
      }),
    ).rejects.toThrow(Conflict);
  });

  it("refuses a forged organisation id and role escalation", async () => {
    const before = await snapshot(db);
    const forged = {
      orgId: globex.orgId,
      email: "mole@globex.example",
      displayName: "Mole",
      role: Role.ORG_ADMIN,
    };
    await expect(createUser(deps, acme.org_admin, forged)).rejects.toThrow(Forbidden);
    await expect(
      createUser(deps, acme.org_admin, { ...forged, orgId: acme.orgId, role: Role.SUPER_ADMIN }),
    ).rejects.toThrow(/only a super admin/);
    await expect(
      updateUser(deps, acme.org_admin, { userId: acme.viewer.subject, role: Role.SUPER_ADMIN }),
    ).rejects.toThrow(Forbidden);
    // Another organisation's user is invisible, not merely forbidden.
    await expect(
      updateUser(deps, acme.org_admin, { userId: globex.viewer.subject, role: Role.ORG_ADMIN }),
    ).rejects.toThrow(NotFound);
    await expect(deactivateUser(deps, acme.org_admin, globex.member.subject)).rejects.toThrow(
      NotFound,
    );
    expect(await snapshot(db)).toEqual(before);
  });

  it("lists only the caller's organisation's users, unless a super admin asks", async () => {
    const mine = await listUsers(db, acme.org_admin, acme.orgId, { offset: 0, limit: 50 });
    expect(new Set(mine.map((u) => u.orgId))).toEqual(new Set([acme.orgId]));
    await expect(
      listUsers(db, acme.org_admin, globex.orgId, { offset: 0, limit: 50 }),
    ).rejects.toThrow(Forbidden);
    const theirs = await listUsers(db, superAdmin(), globex.orgId, { offset: 0, limit: 50 });
    expect(theirs.map((u) => u.email).sort()).toEqual([
      "member@globex.example",
      "org_admin@globex.example",
      "viewer@globex.example",
    ]);
  });

  it("updates and deactivates users, logging before and after", async () => {
    const u = await updateUser(deps, acme.org_admin, {
      userId: acme.viewer.subject,
      displayName: "Vera",
      role: Role.MEMBER,
    });
    expect(u).toMatchObject({ displayName: "Vera", role: "member" });
    const d = await deactivateUser(deps, superAdmin(), globex.viewer.subject);
    expect(d.status).toBe("deactivated");
    const log = rowsOf(
      await db.db.execute(
        sql`SELECT before, after, actor_role, org_id FROM identity.admin_logs
            WHERE target_id = ${globex.viewer.subject}`,
      ),
    );
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ actor_role: "super_admin", org_id: globex.orgId });
    expect((log[0] as { before: { status: string } }).before.status).toBe("active");
    expect((log[0] as { after: { status: string } }).after.status).toBe("deactivated");
    await expect(deactivateUser(deps, acme.org_admin, acme.org_admin.subject)).rejects.toThrow(
      /cannot deactivate yourself/,
    );
  });
});
