import type { Database } from "@portal/runtime";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbImpls, rowsOf, seedOrg, superAdmin } from "../testing/identity-db.js";
import { listAccessLogs, listAdminLogs } from "./audit-logs.js";

const impl =
  dbImpls.find((i) => i.up() && i.name === "postgres") ?? (dbImpls[0] as (typeof dbImpls)[0]);

describe(`audit log reads (${impl.name})`, () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let acme: Awaited<ReturnType<typeof seedOrg>>;
  let globex: Awaited<ReturnType<typeof seedOrg>>;
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => "accepted",
      (e: Error) => `${e.name}: ${e.message}`,
    );

  beforeAll(async () => {
    ({ db, cleanup } = await impl.open());
    acme = await seedOrg(db, "acme");
    globex = await seedOrg(db, "globex");
    // Five access events for acme, two for globex, interleaved; times deliberately out of order.
    const at = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m)).toISOString();
    const rows: [string, string, string][] = [
      [acme.orgId, "login", at(5)],
      [globex.orgId, "login", at(1)],
      [acme.orgId, "logout", at(2)],
      [acme.orgId, "key_used", at(9)],
      [globex.orgId, "logout", at(3)],
      [acme.orgId, "login_failed", at(4)],
      [acme.orgId, "login", at(7)],
    ];
    for (const [org, event, when] of rows) {
      await db.db.execute(
        sql`INSERT INTO identity.access_logs (org_id, subject, event, at) VALUES (${org}, 's', ${event}, ${when})`,
      );
    }
    await db.db.execute(
      sql`INSERT INTO identity.admin_logs (org_id, actor_subject, actor_org_id, actor_role, action, target_type, target_id, before, after, at)
          VALUES (${acme.orgId}, 'a', ${acme.orgId}, 'org_admin', 'user.update', 'user', 'u1', '{"role":"viewer"}', '{"role":"member"}', now()),
                 (${globex.orgId}, 'b', ${globex.orgId}, 'org_admin', 'user.update', 'user', 'u2', null, null, now())`,
    );
  });
  afterAll(() => cleanup?.());

  it("pages through the org admin's own access log, newest first, without repeats", async () => {
    const first = await listAccessLogs(db, acme.org_admin, {
      orgId: acme.orgId,
      pageSize: 3,
      pageToken: "",
    });
    expect(first.rows.map((r) => r.event)).toEqual(["login", "login_failed", "key_used"]);
    const second = await listAccessLogs(db, acme.org_admin, {
      orgId: acme.orgId,
      pageSize: 3,
      pageToken: first.nextPageToken,
    });
    expect(second.rows.map((r) => r.event)).toEqual(["logout", "login"]);
    expect(second.nextPageToken).toBe("");
    expect(new Set([...first.rows, ...second.rows].map((r) => r.orgId))).toEqual(
      new Set([acme.orgId]),
    );
  });

  it("shows the admin log with before and after, to org admins of that organisation only", async () => {
    const { rows } = await listAdminLogs(db, acme.org_admin, {
      orgId: acme.orgId,
      pageSize: 0,
      pageToken: "",
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ before: { role: "viewer" }, after: { role: "member" } });
    expect(
      await refusal(
        listAdminLogs(db, globex.org_admin, { orgId: acme.orgId, pageSize: 0, pageToken: "" }),
      ),
    ).toBe(`Forbidden: organisation ${acme.orgId} is not yours`);
  });

  it("lets a super admin read any organisation's logs, and records that read", async () => {
    const { rows } = await listAccessLogs(db, superAdmin(), {
      orgId: globex.orgId,
      pageSize: 10,
      pageToken: "",
    });
    expect(rows.map((r) => r.event)).toEqual(["logout", "login"]);
    const [last] = rowsOf(
      await db.db.execute(
        sql`SELECT action, target_id FROM identity.admin_logs ORDER BY id DESC LIMIT 1`,
      ),
    );
    expect(last).toEqual({ action: "cross_org_access", target_id: globex.orgId });
  });

  it("refuses bad paging input with the field named", async () => {
    const page = { orgId: acme.orgId, pageSize: 0, pageToken: "" };
    expect(await refusal(listAccessLogs(db, acme.org_admin, { ...page, pageSize: 501 }))).toBe(
      "InvalidInput: page_size: must be between 0 and 500",
    );
    expect(await refusal(listAccessLogs(db, acme.org_admin, { ...page, pageToken: "x" }))).toBe(
      "InvalidInput: page_token: is not a token this service issued",
    );
    expect(await refusal(listAccessLogs(db, acme.org_admin, { ...page, orgId: "nope" }))).toBe(
      'InvalidInput: org_id: "nope" is not a uuid',
    );
  });
});
