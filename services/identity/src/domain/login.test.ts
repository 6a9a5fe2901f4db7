import type { Database } from "@portal/runtime";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbImpls, rowsOf, seedOrg, TEST_PASSWORD_PARAMS } from "../testing/identity-db.js";
import { LoginFailed } from "./errors.js";
import type { LoginDeps } from "./login.js";
import { FIRST_LOCK_MS, FREE_FAILURES, lockDurationMs, loginWithPassword } from "./login.js";

const PASSWORD = "correct horse battery staple";
const impl =
  dbImpls.find((i) => i.up() && i.name === "postgres") ?? (dbImpls[0] as (typeof dbImpls)[0]);

describe("lockDurationMs", () => {
  it("allows FREE_FAILURES failures, then doubles the lock up to 15 minutes", () => {
    expect(lockDurationMs(FREE_FAILURES - 1)).toBe(0);
    expect(lockDurationMs(FREE_FAILURES)).toBe(FIRST_LOCK_MS);
    expect(lockDurationMs(FREE_FAILURES + 1)).toBe(2 * FIRST_LOCK_MS);
    expect(lockDurationMs(100)).toBe(15 * 60_000);
  });
});

describe(`password login (${impl.name})`, () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let acme: Awaited<ReturnType<typeof seedOrg>>;
  let clock = new Date("2026-01-02T03:04:05Z");
  let deps: LoginDeps;
  const events = async () =>
    rowsOf(
      await db.db.execute(
        sql`SELECT event, detail, org_id, subject FROM identity.access_logs ORDER BY id`,
      ),
    );
  beforeAll(async () => {
    ({ db, cleanup } = await impl.open());
    deps = { db, now: () => clock, passwordParams: TEST_PASSWORD_PARAMS };
    acme = await seedOrg(db, "acme", PASSWORD);
  });
  afterAll(() => cleanup?.());

  it("logs in with the right password, whatever the email's case", async () => {
    const r = await loginWithPassword(deps, { email: "Member@ACME.example", password: PASSWORD });
    expect(r).toEqual({ userId: acme.member.subject, orgId: acme.orgId, role: "member" });
    expect((await events()).at(-1)).toMatchObject({ event: "login", subject: acme.member.subject });
  });

  it("refuses a wrong password and an unknown email with the same message, and logs both", async () => {
    const wrong = await loginWithPassword(deps, {
      email: acme.viewer.email,
      password: "nope",
    }).catch((e) => e);
    const unknown = await loginWithPassword(deps, {
      email: "ghost@acme.example",
      password: "x",
    }).catch((e) => e);
    expect(wrong).toBeInstanceOf(LoginFailed);
    expect(unknown).toBeInstanceOf(LoginFailed);
    expect(wrong.message).toBe(unknown.message);
    expect((await events()).slice(-2)).toEqual([
      {
        event: "login_failed",
        detail: "wrong password",
        org_id: acme.orgId,
        subject: acme.viewer.subject,
      },
      { event: "login_failed", detail: "unknown email", org_id: null, subject: null },
    ]);
  });

  it("locks an account after repeated failures, even for the right password, until the lock ends", async () => {
    const email = acme.org_admin.email;
    for (let i = 0; i < FREE_FAILURES; i++) {
      await expect(loginWithPassword(deps, { email, password: `wrong ${i}` })).rejects.toThrow(
        "wrong email or password",
      );
    }
    const locked = await loginWithPassword(deps, { email, password: PASSWORD }).catch((e) => e);
    expect(locked).toBeInstanceOf(LoginFailed);
    expect(locked.retryAfterSeconds).toBe(FIRST_LOCK_MS / 1000);
    clock = new Date(clock.getTime() + FIRST_LOCK_MS + 1);
    const ok = await loginWithPassword(deps, { email, password: PASSWORD });
    expect(ok).toMatchObject({ userId: acme.org_admin.subject });
    const [row] = rowsOf(
      await db.db.execute(
        sql`SELECT failed_logins, locked_until FROM identity.users WHERE id = ${acme.org_admin.subject}`,
      ),
    );
    expect(row).toEqual({ failed_logins: 0, locked_until: null });
  });

  it("refuses a deactivated user even with the right password", async () => {
    await db.db.execute(
      sql`UPDATE identity.users SET status = 'deactivated' WHERE id = ${acme.viewer.subject}`,
    );
    await expect(
      loginWithPassword(deps, { email: acme.viewer.email, password: PASSWORD }),
    ).rejects.toThrow(LoginFailed);
    expect((await events()).at(-1)).toMatchObject({ detail: "user deactivated" });
  });

  it("never lets the login role read more than a login needs", async () => {
    const denied = (q: ReturnType<typeof sql>) =>
      db
        .withRole("portal_login", (tx) => tx.execute(q))
        .then(
          () => "allowed",
          (e: { cause?: { message?: string } }) => e.cause?.message ?? String(e),
        );
    expect(await denied(sql`SELECT display_name FROM identity.users`)).toMatch(/permission denied/);
    expect(await denied(sql`UPDATE identity.users SET failed_logins = 0`)).toMatch(
      /permission denied/,
    );
    expect(await denied(sql`SELECT * FROM identity.admin_logs`)).toMatch(/permission denied/);
  });
});
