/**
 * The embedded mode: the same runs background work and sampler worker code in one process, on
 * PGlite with the database-backed queue and bus and a local object store.
 */
import { randomUUID } from "node:crypto";
import type { BusEvent, Platform, ServiceContext } from "@portal/runtime";
import { createDatabaseBus, createLogger, inProcessClients, VERSION } from "@portal/runtime";
import type { Sampler } from "@portal/sampler-service";
import { startSampler } from "@portal/sampler-service";
import { SUBJECTS } from "@portal/sampler-service/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Background } from "./background.js";
import { startBackground } from "./background.js";
import { createConfig } from "./domain/configs.js";
import { getRun, listLogs, listResults, listSimulationResults } from "./domain/queries.js";
import { PLATFORM_ORG, parseStudy, submitSimulationStudy } from "./domain/simulation.js";
import { submitRun } from "./domain/submit-run.js";
import { openRunsDatabase, putSimulatedFund, tempStore } from "./testing/harness.js";

const SMALL = { windows: "last", sampler: { chains: 2, warmup: 60, draws: 60 } };

describe("embedded: runs and the sampler in one process on the database queue", () => {
  let platform: Platform;
  let bg: Background;
  let sampler: Sampler;
  const done = new Map<string, (e: BusEvent) => void>();
  const seen = new Map<string, BusEvent>();
  const org = randomUUID();
  const log = createLogger({ service: "runs", level: "silent" });

  beforeAll(async () => {
    const db = await openRunsDatabase();
    const { queue, bus } = createDatabaseBus(db);
    const storage = await tempStore();
    platform = {
      db,
      queue,
      bus,
      storage,
      check: async () => [],
      close: async () => {
        await queue.close(1000);
        await bus.close(1000);
        await db.close();
      },
    };
    const ctx: ServiceContext = {
      name: "runs",
      mode: "embedded",
      version: VERSION,
      log,
      platform,
      clients: inProcessClients(() => undefined, []),
    };
    await bus.subscribe(
      "test-finished",
      "runs.run.*",
      async (e) => {
        const runId = (e.data as { runId: string }).runId;
        seen.set(runId, e);
        done.get(runId)?.(e);
      },
      { from: "new" },
    );
    bg = await startBackground(ctx, {
      reconcileEveryMs: 60_000,
      staleTaskMs: 600_000,
      relayEveryMs: 100,
    });
    sampler = await startSampler({
      queue,
      bus,
      storage,
      log,
      concurrency: 2,
      maxDeliver: 2,
      ackWaitMs: 5000,
    });
  });
  afterAll(async () => {
    await sampler?.stop(1000);
    await bg?.stop(1000);
    await platform?.close(1000);
  });

  /** Resolves with the event that finished `runId` (completed or failed). */
  const finished = (runId: string) => new Promise<BusEvent>((resolve) => done.set(runId, resolve));

  it("runs a fund from submission to completed results", async () => {
    const { db, queue, storage } = platform;
    const cfg = await createConfig(db, org, "u1", "small", JSON.stringify(SMALL));
    const fund = await putSimulatedFund(storage, org, 41);
    const runId = await submitRun(
      { db, queue, storage, catalog: { latestDataHashes: async () => new Map() } },
      { orgId: org, by: "u1", configId: cfg.configId, funds: [fund], timeoutSeconds: 0 },
    );
    const wait = finished(runId);
    const e = await wait;
    expect(e.subject).toBe(SUBJECTS.runCompleted);
    const run = await getRun(db, org, runId);
    expect(run.status).toBe("completed");
    expect(await listResults(db, org, runId)).toHaveLength(1);
    expect((await listLogs(db, org, runId, 0n, 100)).length).toBeGreaterThan(0);
  });

  it("runs a simulation study through the same queue and records recovered vs true values", async () => {
    const { db, queue, storage } = platform;
    const study = parseStudy({
      by: "root",
      replications: 2,
      seed: 100,
      skeletonJson: '{"years":2}',
      parametersJson: "",
      configJson: JSON.stringify(SMALL),
    });
    const runId = await submitSimulationStudy({ db, queue, storage }, study);
    const wait = finished(runId);
    expect((await wait).subject).toBe(SUBJECTS.runCompleted);
    const rows = await listSimulationResults(db, PLATFORM_ORG, runId);
    expect(new Set(rows.map((r) => r.replication))).toEqual(new Set([1, 2]));
    const alpha = rows.filter((r) => r.param === "alpha");
    expect(alpha).toHaveLength(2);
    for (const r of alpha) {
      expect(r.q05).toBeLessThanOrEqual(r.posteriorMean);
      expect(r.posteriorMean).toBeLessThanOrEqual(r.q95);
      expect(r.covered).toBe(r.q05 <= r.trueValue && r.trueValue <= r.q95);
    }
  });
});
