import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256Hex } from "@portal/hashing";
import {
  configHash,
  createRng,
  drawParams,
  fundToJson,
  generateSkeleton,
  parseRunConfig,
  simulateFund,
} from "@portal/navcast";
import type { BusEvent, Database, EventBus, ObjectStore, WorkQueue } from "@portal/runtime";
import { createDatabaseBus, createLocalStore, createLogger, openDatabase } from "@portal/runtime";
import { parquetReadObjects } from "hyparquet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FitTask, TaskResult } from "./contract.js";
import { SUBJECTS, TASK_QUEUE } from "./contract.js";
import type { Sampler } from "./worker.js";
import { startSampler } from "./worker.js";

const ORG = "0b7c6a51-1d2e-4f3a-9b8c-7d6e5f4a3b2c";
// the progress check off: every extension round runs, so the posteriors file's length is known
const CONFIG = {
  windows: "last",
  sampler: { chains: 2, warmup: 60, draws: 60, extend_min_progress: 0 },
};

/** Events of one subject, each resolving the waiters that match it. */
function collect(bus: EventBus, subject: string) {
  const seen: BusEvent[] = [];
  const waiters: { match: (e: BusEvent) => boolean; resolve: (e: BusEvent) => void }[] = [];
  const ready = bus.subscribe(`test-${subject.replace(/\./g, "-")}`, subject, async (e) => {
    seen.push(e);
    for (const w of waiters.filter((x) => x.match(e))) w.resolve(e);
  });
  return {
    ready,
    seen,
    next: (match: (e: BusEvent) => boolean) =>
      new Promise<BusEvent>((resolve) => {
        const hit = seen.find(match);
        if (hit) resolve(hit);
        else waiters.push({ match, resolve });
      }),
  };
}

describe("startSampler (database queue, local storage)", () => {
  let db: Database;
  let queue: WorkQueue;
  let bus: EventBus;
  let storage: ObjectStore;
  let dir: string;
  let sampler: Sampler;
  let results: ReturnType<typeof collect>;
  let started: ReturnType<typeof collect>;

  const fund = simulateFund(
    generateSkeleton({ seed: 5, years: 2, name: "sim-5" }),
    drawParams(createRng(5)),
    { seed: 5 },
  );
  const input = new TextEncoder().encode(JSON.stringify(fundToJson(fund)));
  const task = (runId: string, over: Partial<FitTask> = {}): FitTask => ({
    v: 1,
    runId,
    orgId: ORG,
    taskId: "t1",
    attempt: 1,
    fundIdentityHash: "a".repeat(64),
    dataHash: "b".repeat(64),
    inputKey: `model-inputs/${ORG}/${"a".repeat(64)}/${"b".repeat(64)}.json`,
    inputSha256: sha256Hex(input),
    window: "last",
    config: CONFIG,
    configHash: configHash(parseRunConfig(CONFIG)),
    ...over,
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sampler-"));
    db = await openDatabase({});
    ({ queue, bus } = createDatabaseBus(db));
    storage = createLocalStore({
      root: dir,
      publicBaseUrl: "http://localhost/files",
      signingKey: new Uint8Array(32),
    });
    await storage.put(task("r").inputKey, input);
    results = collect(bus, SUBJECTS.taskResult);
    started = collect(bus, SUBJECTS.taskStarted);
    await Promise.all([results.ready, started.ready]);
    sampler = await startSampler({
      queue,
      bus,
      storage,
      log: createLogger({ service: "sampler", level: "silent" }),
      concurrency: 2,
      maxDeliver: 2,
      ackWaitMs: 5000,
    });
  });
  afterAll(async () => {
    await sampler?.stop(1000);
    await queue?.close(1000);
    await bus?.close(1000);
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const resultOf = async (runId: string) =>
    (await results.next((e) => (e.data as TaskResult).runId === runId)).data as TaskResult;

  it("fits a task on a thread and publishes its artefacts' keys and hashes", async () => {
    await queue.enqueue(TASK_QUEUE, "run-ok:t1:1", task("run-ok"));
    const r = await resultOf("run-ok");
    expect(r.status, r.error).toBe("succeeded");
    const w = r.windows?.[0];
    expect(w?.window).toBe(fund.weeks.at(-1));
    expect(w?.posteriorsKey).toBe(
      `posteriors/${ORG}/${"a".repeat(64)}/run-ok_${w?.window}.parquet`,
    );
    const bytes = await storage.get(w?.posteriorsKey ?? "");
    expect(sha256Hex(bytes)).toBe(w?.posteriorsSha256);
    const rows = await parquetReadObjects({ file: bytes.buffer as ArrayBuffer });
    // 2 x 60 draws never reach a bulk-ESS of 400, so all 3 extension rounds of 60 draws run
    expect(rows).toHaveLength(2 * 60 * 4);
    expect(Object.keys(rows[0] ?? {})).toEqual(
      expect.arrayContaining(["chain", "draw", "alpha", "V"]),
    );
    const stats = await parquetReadObjects({
      file: (await storage.get(w?.fullStatsKey ?? "")).buffer as ArrayBuffer,
    });
    expect(stats.map((s) => s.quantity)).toContain("sigma_n");
  });

  it("fails a task whose input changed since submission, without retrying it", async () => {
    await queue.enqueue(
      TASK_QUEUE,
      "run-changed:t1:1",
      task("run-changed", { inputSha256: "c".repeat(64) }),
    );
    const r = await resultOf("run-changed");
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/changed since the run was submitted/);
  });

  it("fails a task with a bad config at once, naming the problem", async () => {
    await queue.enqueue(TASK_QUEUE, "run-bad:t1:1", task("run-bad", { window: "1999-01-01" }));
    const r = await resultOf("run-bad");
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/window 1999-01-01 is not a week/);
  });

  it("fails a task that keeps failing after its bounded deliveries, with its error", async () => {
    await queue.enqueue(
      TASK_QUEUE,
      "run-poison:t1:1",
      task("run-poison", { inputKey: "model-inputs/nowhere.json" }),
    );
    const r = await resultOf("run-poison");
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(
      /failed after 2 deliveries: ObjectNotFound: object model-inputs\/nowhere.json not found/,
    );
    const starts = started.seen.filter((e) => (e.data as TaskResult).runId === "run-poison");
    expect(starts).toHaveLength(2);
  });

  it("stops a running task when its run is cancelled", async () => {
    const long = { windows: "last", sampler: { chains: 2, warmup: 5000, draws: 5000 } };
    await queue.enqueue(TASK_QUEUE, "run-cancel:t1:1", task("run-cancel", { config: long }));
    await started.next((e) => (e.data as TaskResult).runId === "run-cancel");
    await bus.publish(SUBJECTS.runCancelled, "cancel:run-cancel", {
      runId: "run-cancel",
      orgId: ORG,
      reason: "test",
      upToAttempt: 1,
    });
    const r = await resultOf("run-cancel");
    expect(r.status).toBe("cancelled");
    expect(sampler.active().filter((a) => a.runId === "run-cancel")).toEqual([]);
  });
});
