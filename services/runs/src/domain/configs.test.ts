import { randomUUID } from "node:crypto";
import { configHash, parseRunConfig } from "@portal/navcast";
import type { Database } from "@portal/runtime";
import { createDatabaseBus } from "@portal/runtime";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRunsDatabase, putSimulatedFund, tempStore } from "../testing/harness.js";
import { configHistory, createConfig, deleteConfig, listConfigs } from "./configs.js";
import { RunsError } from "./errors.js";
import { submitRun } from "./submit-run.js";

describe("model configs", () => {
  let db: Database;
  const org = randomUUID();
  beforeAll(async () => {
    db = await openRunsDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it.each([
    ["{", /config_json is not valid JSON/],
    ["[1]", /config_json must be a JSON object/],
    ['{"winows":"last"}', /config: unknown config key winows/],
    ['{"garch_method":"nope"}', /config: garch_method must be one of/],
    ['{"sampler":{"chains":0}}', /config: sampler.chains must be an integer from 1 to 16, got 0/],
    ['{"sampler":{"draws":1.5}}', /config: sampler.draws must be an integer/],
  ])("refuses %s, naming what is wrong", async (json, message) => {
    const err = await createConfig(db, org, "u1", "bad", json).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunsError);
    expect((err as RunsError).kind).toBe("invalid");
    expect((err as Error).message).toMatch(message);
    expect(await listConfigs(db, org)).toEqual([]);
  });

  it("stores each version with the hash of its resolved config; the newest is current", async () => {
    const v1 = await createConfig(db, org, "u1", "nightly", '{"windows":"last"}');
    const v2 = await createConfig(db, org, "u2", "nightly", '{"windows":"quarterly"}');
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v2.configId).toBe(v1.configId);
    expect(v1.configHash).toBe(configHash(parseRunConfig({ windows: "last" })));
    expect((await listConfigs(db, org)).map((c) => [c.name, c.version])).toEqual([["nightly", 2]]);
  });

  it("soft-deletes: the config leaves the list, its history keeps every version", async () => {
    const c = await createConfig(db, org, "u1", "to-delete", "{}");
    await deleteConfig(db, org, "admin", c.configId);
    expect((await listConfigs(db, org)).map((x) => x.name)).not.toContain("to-delete");
    const history = await configHistory(db, org, c.configId);
    expect(history.map((h) => [h.version, h.deleted])).toEqual([
      [1, false],
      [2, true],
    ]);
    await expect(deleteConfig(db, org, "admin", c.configId)).rejects.toThrow(/was deleted/);
  });

  it("keeps history append-only for the application role", async () => {
    const attempt = (q: string) =>
      db
        .withOrg(org, (tx) => tx.execute(sql.raw(q)))
        .then(
          () => "allowed",
          (e: { cause?: { message?: string }; message: string }) => e.cause?.message ?? e.message,
        );
    expect(await attempt("UPDATE runs.model_config_history SET name = 'x'")).toMatch(
      /permission denied/,
    );
    expect(await attempt("DELETE FROM runs.model_config_history")).toMatch(/permission denied/);
  });

  it("detects a tampered row and refuses to run it", async () => {
    const storage = await tempStore();
    const { queue } = createDatabaseBus(db);
    const c = await createConfig(db, org, "u1", "tampered", '{"windows":"last"}');
    // Changed behind the application's back (as the table owner): the hash no longer matches.
    await db.db.execute(sql`UPDATE runs.model_config_history
      SET config = '{"windows":"last","sampler":{"draws":5}}'::jsonb WHERE config_id = ${c.configId}`);
    const fund = await putSimulatedFund(storage, org, 31);
    const err = await submitRun(
      { db, queue, storage, catalog: { latestDataHashes: async () => new Map() } },
      { orgId: org, by: "u1", configId: c.configId, funds: [fund], timeoutSeconds: 0 },
    ).catch((e: unknown) => e);
    expect((err as RunsError).kind).toBe("tampered");
    expect((err as Error).message).toMatch(/failed its integrity check/);
    const runs = await db.withOrg(org, (tx) =>
      tx.execute(sql`SELECT count(*)::int AS n FROM runs.model_runs`),
    );
    expect(JSON.stringify(runs)).toContain('"n":0');
  });
});
