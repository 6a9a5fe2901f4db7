import { fileURLToPath } from "node:url";
import { createTestDatabase, postgresUp } from "@portal/test-kit";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "./database.js";
import { openDatabase } from "./database.js";

const DEMO = fileURLToPath(new URL("./fixtures/rls-demo", import.meta.url));
const orgA = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const orgB = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";

type Impl = {
  name: string;
  open: () => Promise<{ db: Database; cleanup: () => Promise<void> }>;
  up: () => boolean;
};
const impls: Impl[] = [
  {
    name: "pglite (embedded)",
    up: () => true,
    open: async () => {
      const db = await openDatabase({});
      return { db, cleanup: () => db.close() };
    },
  },
  {
    name: "postgres",
    up: postgresUp,
    open: async () => {
      const t = await createTestDatabase();
      const db = await openDatabase({ url: t.url, poolSize: 4 });
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

const rowsOf = (r: unknown) =>
  (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Record<string, unknown>[];

for (const impl of impls) {
  describe.skipIf(!impl.up())(`database seam: ${impl.name}`, () => {
    let db: Database;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ db, cleanup } = await impl.open());
      await db.migrate("demo", DEMO);
      await db.withOrg(orgA, (tx) =>
        tx.execute(
          sql`INSERT INTO demo.notes (org_id, body) VALUES (${orgA}, 'a1'), (${orgA}, 'a2')`,
        ),
      );
      await db.withOrg(orgB, (tx) =>
        tx.execute(sql`INSERT INTO demo.notes (org_id, body) VALUES (${orgB}, 'b1')`),
      );
    });
    afterAll(async () => cleanup?.());

    it("applies migrations once and records them per service", async () => {
      await db.migrate("demo", DEMO); // a second run is a no-op, not a "schema exists" error
      const r = rowsOf(
        await db.db.execute(sql`SELECT count(*)::int AS n FROM portal_migrations.demo`),
      );
      expect(r[0]?.n).toBe(1);
    });

    it("shows an organisation only its own rows", async () => {
      const a = rowsOf(
        await db.withOrg(orgA, (tx) => tx.execute(sql`SELECT body FROM demo.notes ORDER BY body`)),
      );
      const b = rowsOf(
        await db.withOrg(orgB, (tx) => tx.execute(sql`SELECT body FROM demo.notes ORDER BY body`)),
      );
      expect(a.map((r) => r.body)).toEqual(["a1", "a2"]);
      expect(b.map((r) => r.body)).toEqual(["b1"]);
    });

    it("refuses to write a row into another organisation", async () => {
      const err = await db
        .withOrg(orgB, (tx) =>
          tx.execute(sql`INSERT INTO demo.notes (org_id, body) VALUES (${orgA}, 'planted')`),
        )
        .then(
          () => undefined,
          (e: Error) => e,
        );
      // drizzle wraps the driver's error; the database's reason is its cause
      expect(String((err?.cause as Error | undefined)?.message)).toMatch(/row-level security/);
    });

    it("cannot update or delete another organisation's rows", async () => {
      await db.withOrg(orgB, async (tx) => {
        await tx.execute(sql`UPDATE demo.notes SET body = 'hijacked' WHERE org_id = ${orgA}`);
        await tx.execute(sql`DELETE FROM demo.notes WHERE org_id = ${orgA}`);
      });
      const a = rowsOf(
        await db.withOrg(orgA, (tx) => tx.execute(sql`SELECT body FROM demo.notes ORDER BY body`)),
      );
      expect(a.map((r) => r.body)).toEqual(["a1", "a2"]);
    });

    it("shows nothing when no organisation is set", async () => {
      const r = rowsOf(await db.withApp((tx) => tx.execute(sql`SELECT * FROM demo.notes`)));
      expect(r).toHaveLength(0);
    });

    it("runs under a role that cannot bypass row-level security", async () => {
      const r = rowsOf(
        await db.withApp((tx) =>
          tx.execute(
            sql`SELECT current_user AS u, rolbypassrls AS b FROM pg_roles WHERE rolname = current_user`,
          ),
        ),
      );
      expect(r[0]).toEqual({ u: "portal_app", b: false });
    });

    it("rolls back the whole unit of work on error", async () => {
      await expect(
        db.withOrg(orgA, async (tx) => {
          await tx.execute(sql`INSERT INTO demo.notes (org_id, body) VALUES (${orgA}, 'a3')`);
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      const a = rowsOf(
        await db.withOrg(orgA, (tx) => tx.execute(sql`SELECT body FROM demo.notes`)),
      );
      expect(a.map((r) => r.body)).not.toContain("a3");
    });

    it("rejects an organisation id that is not a uuid", async () => {
      await expect(db.withOrg("' OR 1=1 --", async () => 1)).rejects.toThrow(/not a uuid/);
    });
  });
}
