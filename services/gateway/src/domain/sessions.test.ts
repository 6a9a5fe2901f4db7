import { fileURLToPath } from "node:url";
import type { Database } from "@portal/runtime";
import { openDatabase } from "@portal/runtime";
import { createTestDatabase, postgresUp } from "@portal/test-kit";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionDeps } from "./sessions.js";
import {
  createSession,
  findSession,
  isCsrfValid,
  revokeSession,
  revokeUserSessions,
  SESSION_TTL_MS,
} from "./sessions.js";

const MIGRATIONS = fileURLToPath(new URL("../../migrations", import.meta.url));
const orgA = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const orgB = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
const user = { userId: "11111111-1111-4111-8111-111111111111", orgId: orgA, role: "member" };

describe.skipIf(!postgresUp())("sessions (postgres)", () => {
  let db: Database;
  let drop: () => Promise<void>;
  let clock = new Date("2026-01-02T03:04:05Z");
  let deps: SessionDeps;
  beforeAll(async () => {
    const t = await createTestDatabase();
    drop = t.drop;
    db = await openDatabase({ url: t.url, poolSize: 2 });
    await db.migrate("gateway", MIGRATIONS);
    deps = { db, now: () => clock };
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it("stores only hashes and finds the session by its token until it expires", async () => {
    const s = await createSession(deps, user);
    const stored = JSON.stringify(
      (await db.db.execute(sql`SELECT * FROM gateway.sessions`)) as unknown,
    );
    expect(stored).not.toContain(s.token);
    expect(stored).not.toContain(s.csrf);
    const found = await findSession(deps, s.token);
    expect(found).toMatchObject(user);
    expect(found && isCsrfValid(found, s.csrf)).toBe(true);
    expect(found && isCsrfValid(found, `${s.csrf}x`)).toBe(false);
    expect(found && isCsrfValid(found, null)).toBe(false);
    clock = new Date(clock.getTime() + SESSION_TTL_MS);
    expect(await findSession(deps, s.token)).toBeUndefined();
  });

  it("revokes one session, or every session of a user", async () => {
    const a = await createSession(deps, user);
    const b = await createSession(deps, user);
    const other = await createSession(deps, {
      ...user,
      userId: "22222222-2222-4222-8222-222222222222",
    });
    const found = await findSession(deps, a.token);
    if (!found) throw new Error("session a not found");
    await revokeSession(deps, found);
    expect(await findSession(deps, a.token)).toBeUndefined();
    expect(await findSession(deps, b.token)).toBeDefined();
    // b, and the expired session of the first test (revoked too: harmless, and keeps the rule simple).
    expect(await revokeUserSessions(deps, user)).toBe(2);
    expect(await findSession(deps, b.token)).toBeUndefined();
    expect(await findSession(deps, other.token)).toBeDefined();
  });

  it("keeps sessions to their organisation under RLS", async () => {
    await createSession(deps, user);
    const seen = await db.withOrg(orgB, (tx) => tx.execute(sql`SELECT id FROM gateway.sessions`));
    const rows = Array.isArray(seen) ? seen : (seen as { rows: unknown[] }).rows;
    expect(rows).toEqual([]);
    expect(await revokeUserSessions(deps, { ...user, orgId: orgB })).toBe(0);
  });

  it("ignores malformed tokens without querying", async () => {
    expect(await findSession(deps, "' OR 1=1 --")).toBeUndefined();
  });
});
