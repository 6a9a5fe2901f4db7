import type { Database } from "@portal/runtime";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbImpls, rowsOf, seedOrg, TEST_PASSWORD_PARAMS } from "../testing/identity-db.js";
import { CredentialRefused, InvalidInput } from "./errors.js";
import { loginWithPassword } from "./login.js";
import type { Mail } from "./mailer.js";
import type { ResetDeps } from "./password-reset.js";
import {
  RESET_TTL_MS,
  recordAccess,
  requestPasswordReset,
  resetPassword,
} from "./password-reset.js";

const impl =
  dbImpls.find((i) => i.up() && i.name === "postgres") ?? (dbImpls[0] as (typeof dbImpls)[0]);
const BASE = "https://portal.example/reset#token=";

describe(`password reset (${impl.name})`, () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let acme: Awaited<ReturnType<typeof seedOrg>>;
  let clock = new Date("2026-01-02T03:04:05Z");
  const outbox: Mail[] = [];
  let deps: ResetDeps;
  const tokenOf = (m: Mail | undefined) => m?.text.split(BASE)[1]?.split("\n")[0] ?? "";
  beforeAll(async () => {
    ({ db, cleanup } = await impl.open());
    deps = {
      db,
      now: () => clock,
      passwordParams: TEST_PASSWORD_PARAMS,
      mailer: { send: async (m) => void outbox.push(m) },
    };
    acme = await seedOrg(db, "acme", "old password 12345");
  });
  afterAll(() => cleanup?.());

  it("mails a link to an active user, storing only the token's hash", async () => {
    await requestPasswordReset(deps, { email: "MEMBER@acme.example", resetUrlBase: BASE });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]?.to).toBe("member@acme.example");
    const token = tokenOf(outbox[0]);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = JSON.stringify(
      rowsOf(await db.db.execute(sql`SELECT * FROM identity.password_reset_tokens`)),
    );
    expect(stored).not.toContain(token);
  });

  it("sends nothing for an unknown email, and does not say so", async () => {
    await expect(
      requestPasswordReset(deps, { email: "ghost@acme.example", resetUrlBase: BASE }),
    ).resolves.toBeUndefined();
    expect(outbox).toHaveLength(1);
  });

  it("resets once: a replayed token is refused and the old password stops working", async () => {
    const token = tokenOf(outbox[0]);
    await expect(resetPassword(deps, { token, newPassword: "short" })).rejects.toThrow(
      InvalidInput,
    );
    const r = await resetPassword(deps, { token, newPassword: "brand new password" });
    expect(r).toEqual({ userId: acme.member.subject, orgId: acme.orgId });
    const replay = await resetPassword(deps, { token, newPassword: "another password!" }).catch(
      (e) => e,
    );
    expect(replay).toBeInstanceOf(CredentialRefused);
    expect(replay.message).toBe("reset token already used");
    const login = { db, now: () => clock, passwordParams: TEST_PASSWORD_PARAMS };
    await expect(
      loginWithPassword(login, { email: acme.member.email, password: "old password 12345" }),
    ).rejects.toThrow();
    await expect(
      loginWithPassword(login, { email: acme.member.email, password: "brand new password" }),
    ).resolves.toMatchObject({ userId: acme.member.subject });
  });

  it("refuses an expired, unknown or malformed token", async () => {
    await requestPasswordReset(deps, { email: acme.viewer.email, resetUrlBase: BASE });
    const token = tokenOf(outbox.at(-1));
    clock = new Date(clock.getTime() + RESET_TTL_MS);
    await expect(resetPassword(deps, { token, newPassword: "brand new password" })).rejects.toThrow(
      "reset token expired",
    );
    await expect(
      resetPassword(deps, { token: "A".repeat(43), newPassword: "brand new password" }),
    ).rejects.toThrow("unknown reset token");
    await expect(
      resetPassword(deps, { token: "x'; --", newPassword: "brand new password" }),
    ).rejects.toThrow("malformed reset token");
  });

  it("records resets and logouts in the access log", async () => {
    await recordAccess(
      db,
      { orgId: acme.orgId, userId: acme.member.subject, event: "logout" },
      clock,
    );
    const events = rowsOf(
      await db.db.execute(
        sql`SELECT event FROM identity.access_logs WHERE subject = ${acme.member.subject} ORDER BY id`,
      ),
    ).map((r) => r.event);
    expect(events).toEqual([
      "reset_requested",
      "password_reset",
      "login_failed",
      "login",
      "logout",
    ]);
  });
});
