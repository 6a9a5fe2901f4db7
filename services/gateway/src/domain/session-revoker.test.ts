import { fileURLToPath } from "node:url";
import type { Database } from "@portal/runtime";
import { openDatabase } from "@portal/runtime";
import { createTestDatabase, postgresUp } from "@portal/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokeSessionsOnUserChange, USER_CHANGED } from "./session-revoker.js";
import { createSession, findSession } from "./sessions.js";

const MIGRATIONS = fileURLToPath(new URL("../../migrations", import.meta.url));
const user = {
  userId: "11111111-1111-4111-8111-111111111111",
  orgId: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
  role: "org_admin",
};

describe.skipIf(!postgresUp())("ending sessions when identity changes a user", () => {
  let db: Database;
  let drop: () => Promise<void>;
  const deps = () => ({ db, now: () => new Date("2026-01-02T03:04:05Z") });
  beforeAll(async () => {
    const t = await createTestDatabase();
    drop = t.drop;
    db = await openDatabase({ url: t.url, poolSize: 2 });
    await db.migrate("gateway", MIGRATIONS);
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it("revokes the user's sessions, twice harmlessly, and ignores malformed events", async () => {
    const s = await createSession(deps(), user);
    const handle = revokeSessionsOnUserChange(deps());
    await handle({ subject: USER_CHANGED, id: "x", data: { orgId: "nope", userId: user.userId } });
    expect(await findSession(deps(), s.token)).toBeDefined();
    const e = { subject: USER_CHANGED, id: "1", data: { ...user, reason: "deactivated" } };
    await handle(e);
    await handle(e);
    expect(await findSession(deps(), s.token)).toBeUndefined();
  });
});
