import type { Database } from "@portal/runtime";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbImpls, rowsOf, seedOrg, superAdmin } from "../testing/identity-db.js";
import { Conflict, Forbidden, InvalidInput, NotFound } from "./errors.js";
import {
  createOrganization,
  deactivateOrganization,
  getOrganization,
  listOrganizations,
  updateOrganization,
} from "./organizations.js";

const now = new Date("2026-01-02T03:04:05Z");
const countOrgs = async (db: Database) =>
  Number(rowsOf(await db.db.execute(sql`SELECT count(*) AS n FROM identity.organizations`))[0]?.n);
const countAdminLogs = async (db: Database) =>
  Number(rowsOf(await db.db.execute(sql`SELECT count(*) AS n FROM identity.admin_logs`))[0]?.n);

for (const impl of dbImpls) {
  describe.skipIf(!impl.up())(`organisations (${impl.name})`, () => {
    let db: Database;
    let cleanup: () => Promise<void>;
    let acme: Awaited<ReturnType<typeof seedOrg>>;
    let globex: Awaited<ReturnType<typeof seedOrg>>;
    beforeAll(async () => {
      ({ db, cleanup } = await impl.open());
      acme = await seedOrg(db, "acme");
      globex = await seedOrg(db, "globex");
    });
    afterAll(() => cleanup?.());

    it("lets a super admin create an organisation, admin-logged with before/after", async () => {
      const o = await createOrganization(
        db,
        superAdmin(),
        {
          slug: "initech",
          name: "Initech",
          branding: { displayName: "Initech", primaryColor: "#AA00ff", logoUrl: "" },
        },
        now,
      );
      expect(o).toMatchObject({ slug: "initech", status: "active" });
      expect(o.branding).toEqual({ displayName: "Initech", primaryColor: "#aa00ff" });
      const log = rowsOf(
        await db.db.execute(
          sql`SELECT * FROM identity.admin_logs WHERE target_id = ${o.id} AND action = 'organization.create'`,
        ),
      );
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({ actor_role: "super_admin", before: null });
      expect((log[0] as { after: { slug: string } }).after.slug).toBe("initech");
    });

    it.each([
      ["confusable Cyrillic a", "\u0430cme", /non-ASCII.*look-alike/],
      ["upper case", "Acme-2", /lower-case/],
      ["too short", "ab", /3 to 63/],
      ["too long", "a".repeat(64), /3 to 63/],
      ["leading hyphen", "-acme", /starting and ending/],
      ["zero-width space", "ac\u200bme", /non-ASCII/],
    ])("refuses a slug with %s and changes nothing", async (_l, slug, msg) => {
      const [orgs, logs] = [await countOrgs(db), await countAdminLogs(db)];
      const err = await createOrganization(db, superAdmin(), { slug, name: "x" }, now).catch(
        (e) => e,
      );
      expect(err).toBeInstanceOf(InvalidInput);
      expect(err.field).toBe("slug");
      expect(err.message).toMatch(msg);
      expect([await countOrgs(db), await countAdminLogs(db)]).toEqual([orgs, logs]);
    });

    it("refuses an overlong name and a taken slug with clear errors", async () => {
      await expect(
        createOrganization(db, superAdmin(), { slug: "longname", name: "n".repeat(201) }, now),
      ).rejects.toThrow(/name: is 201 characters; at most 200/);
      const before = await countOrgs(db);
      await expect(
        createOrganization(db, superAdmin(), { slug: "acme", name: "Acme again" }, now),
      ).rejects.toThrow(Conflict);
      expect(await countOrgs(db)).toBe(before);
    });

    it("refuses organisation creation and listing to anyone but a super admin", async () => {
      await expect(
        createOrganization(db, acme.org_admin, { slug: "evil", name: "Evil" }, now),
      ).rejects.toThrow(Forbidden);
      await expect(listOrganizations(db, acme.org_admin, { offset: 0, limit: 10 })).rejects.toThrow(
        Forbidden,
      );
      const all = await listOrganizations(db, superAdmin(), { offset: 0, limit: 10 });
      expect(all.map((o) => o.slug)).toEqual(expect.arrayContaining(["acme", "globex"]));
      const page2 = await listOrganizations(db, superAdmin(), { offset: 1, limit: 1 });
      expect(page2.map((o) => o.slug)).toEqual([all[1]?.slug]);
    });

    it("logs a super admin's cross-organisation read, and not an org admin's own", async () => {
      const count = async () =>
        Number(
          rowsOf(
            await db.db.execute(
              sql`SELECT count(*) AS n FROM identity.admin_logs WHERE action = 'cross_org_access'`,
            ),
          )[0]?.n,
        );
      const before = await count();
      await listOrganizations(db, superAdmin(), { offset: 0, limit: 10 });
      await getOrganization(db, acme.viewer, acme.orgId);
      expect(await count()).toBe(before + 1);
    });

    it("lets an org admin update their own organisation, and no other", async () => {
      const o = await updateOrganization(db, acme.org_admin, acme.orgId, { name: "Acme Ltd" }, now);
      expect(o.name).toBe("Acme Ltd");
      await expect(
        updateOrganization(db, acme.org_admin, globex.orgId, { name: "Pwned" }, now),
      ).rejects.toThrow(Forbidden);
      expect((await getOrganization(db, globex.viewer, globex.orgId)).name).toBe("globex");
      await expect(getOrganization(db, acme.viewer, globex.orgId)).rejects.toThrow(Forbidden);
    });

    it("keeps organisations apart in the database even when the scope check is bypassed", async () => {
      // A forged org id that reached the database under the wrong tenant's RLS context finds nothing.
      const seen = await db.withOrg(acme.orgId, (tx) =>
        tx.execute(sql`SELECT id FROM identity.organizations`),
      );
      expect(rowsOf(seen).map((r) => r.id)).toEqual([acme.orgId]);
      const changed = await db.withOrg(acme.orgId, (tx) =>
        tx.execute(
          sql`UPDATE identity.organizations SET name = 'Pwned' WHERE id = ${globex.orgId}`,
        ),
      );
      expect(
        (changed as { rowCount?: number; affectedRows?: number }).rowCount ??
          (changed as { affectedRows?: number }).affectedRows,
      ).toBe(0);
      expect((await getOrganization(db, superAdmin(), globex.orgId)).name).toBe("globex");
    });

    it("deactivates (never deletes) an organisation; super admins only", async () => {
      await expect(deactivateOrganization(db, globex.org_admin, globex.orgId, now)).rejects.toThrow(
        Forbidden,
      );
      const o = await deactivateOrganization(db, superAdmin(), globex.orgId, now);
      expect(o.status).toBe("deactivated");
      await expect(
        deactivateOrganization(db, superAdmin(), "99999999-9999-4999-8999-999999999999", now),
      ).rejects.toThrow(NotFound);
    });
  });
}
