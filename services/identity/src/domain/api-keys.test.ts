import { Role } from "@portal/api";
import type { Database } from "@portal/runtime";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbImpls, rowsOf, seedOrg, superAdmin } from "../testing/identity-db.js";
import type { ApiKeyDeps } from "./api-keys.js";
import {
  authenticateApiKey,
  createApiKey,
  hashKey,
  listApiKeys,
  revokeApiKey,
} from "./api-keys.js";
import { CredentialRefused, Forbidden, InvalidInput, NotFound } from "./errors.js";

const impl =
  dbImpls.find((i) => i.up() && i.name === "postgres") ?? (dbImpls[0] as (typeof dbImpls)[0]);

describe(`API keys (${impl.name})`, () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let acme: Awaited<ReturnType<typeof seedOrg>>;
  let globex: Awaited<ReturnType<typeof seedOrg>>;
  let clock = new Date("2026-01-02T03:04:05Z");
  let deps: ApiKeyDeps;
  beforeAll(async () => {
    ({ db, cleanup } = await impl.open());
    deps = { db, now: () => clock };
    acme = await seedOrg(db, "acme");
    globex = await seedOrg(db, "globex");
  });
  afterAll(() => cleanup?.());

  it("issues sk_live_ keys, stores only their SHA-256, and authenticates them", async () => {
    const { key, row } = await createApiKey(deps, acme.org_admin, {
      orgId: acme.orgId,
      name: "Excel",
      role: Role.VIEWER,
      expiresInDays: 30,
    });
    expect(key).toMatch(/^sk_live_[A-Za-z0-9_-]{43}$/);
    expect(row.keyHash).toBe(hashKey(key));
    const stored = JSON.stringify(
      rowsOf(await db.db.execute(sql`SELECT * FROM identity.api_keys`)),
    );
    expect(stored).not.toContain(key.slice(8));
    const logs = JSON.stringify(
      rowsOf(await db.db.execute(sql`SELECT * FROM identity.admin_logs`)),
    );
    expect(logs).not.toContain(key.slice(8));
    expect(logs).not.toContain(row.keyHash);

    clock = new Date(clock.getTime() + 60_000);
    expect(await authenticateApiKey(deps, key)).toEqual({
      id: row.id,
      orgId: acme.orgId,
      role: "viewer",
    });
    const [listed] = await listApiKeys(db, acme.org_admin, acme.orgId);
    expect(listed?.lastUsedAt).toEqual(clock);
  });

  it("refuses unknown, malformed, expired and revoked keys, saying which", async () => {
    await expect(authenticateApiKey(deps, `sk_live_${"A".repeat(43)}`)).rejects.toThrow(
      "unknown API key",
    );
    await expect(authenticateApiKey(deps, "sk_live_short")).rejects.toThrow("malformed API key");
    const short = await createApiKey(deps, acme.org_admin, {
      orgId: acme.orgId,
      name: "one day",
      role: Role.MEMBER,
      expiresInDays: 1,
    });
    clock = new Date(clock.getTime() + 86_400_000);
    await expect(authenticateApiKey(deps, short.key)).rejects.toThrow("API key expired");
    const k = await createApiKey(deps, acme.org_admin, {
      orgId: acme.orgId,
      name: "to revoke",
      role: Role.MEMBER,
      expiresInDays: 0,
    });
    await authenticateApiKey(deps, k.key);
    const revoked = await revokeApiKey(deps, acme.org_admin, k.row.id);
    expect(revoked.revokedAt).toEqual(clock);
    const err = await authenticateApiKey(deps, k.key).catch((e) => e);
    expect(err).toBeInstanceOf(CredentialRefused);
    expect(err.message).toBe("API key revoked");
    const events = rowsOf(
      await db.db.execute(
        sql`SELECT event, detail FROM identity.access_logs WHERE subject = ${`key:${k.row.id}`} ORDER BY id`,
      ),
    );
    expect(events).toEqual([
      { event: "key_used", detail: null },
      { event: "key_refused", detail: "API key revoked" },
    ]);
  });

  it("keeps keys within their organisation and the creator's role", async () => {
    await expect(
      createApiKey(deps, acme.member, {
        orgId: acme.orgId,
        name: "x",
        role: Role.ORG_ADMIN,
        expiresInDays: 0,
      }),
    ).rejects.toThrow(Forbidden);
    await expect(
      createApiKey(deps, acme.org_admin, {
        orgId: globex.orgId,
        name: "x",
        role: Role.VIEWER,
        expiresInDays: 0,
      }),
    ).rejects.toThrow(Forbidden);
    await expect(
      createApiKey(deps, superAdmin(), {
        orgId: acme.orgId,
        name: "x",
        role: Role.SUPER_ADMIN,
        expiresInDays: 0,
      }),
    ).rejects.toThrow(InvalidInput);
    const g = await createApiKey(deps, globex.org_admin, {
      orgId: globex.orgId,
      name: "globex",
      role: Role.VIEWER,
      expiresInDays: 0,
    });
    await expect(revokeApiKey(deps, acme.org_admin, g.row.id)).rejects.toThrow(NotFound);
    expect((await listApiKeys(db, acme.org_admin, acme.orgId)).map((k) => k.orgId)).not.toContain(
      globex.orgId,
    );
    const r = await revokeApiKey(deps, superAdmin(), g.row.id);
    expect(r.revokedAt).not.toBeNull();
  });
});
