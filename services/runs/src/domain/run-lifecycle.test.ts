import { randomUUID } from "node:crypto";
import { resultsHash } from "@portal/hashing";
import type { Database, EventBus, ObjectStore, WorkQueue } from "@portal/runtime";
import { createDatabaseBus, rowsOf } from "@portal/runtime";
import type { FitTask } from "@portal/sampler-service/contract";
import { SUBJECTS } from "@portal/sampler-service/contract";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  failed,
  openRunsDatabase,
  putSimulatedFund,
  succeed,
  tempStore,
} from "../testing/harness.js";
import { cancelRun, retryRun } from "./cancel-retry.js";
import { createConfig } from "./configs.js";
import { queuedTasks } from "./dispatch.js";
import { finalizeRun } from "./finalize.js";
import type { FundCatalog } from "./fund-inputs.js";
import { relayOutbox } from "./outbox.js";
import { getRun, listResults } from "./queries.js";
import { reconcileOnce } from "./reconcile.js";
import { submitRun } from "./submit-run.js";
import { applyResult } from "./task-events.js";

const CONFIG = JSON.stringify({ windows: "last", sampler: { chains: 2, warmup: 100, draws: 100 } });

describe("a run's life: submit, results, finalize exactly once, retry, cancel, timeout (PGlite)", () => {
  let db: Database;
  let queue: WorkQueue;
  let bus: EventBus;
  let storage: ObjectStore;
  const org = randomUUID();
  let configId: string;
  let funds: { fundIdentityHash: string; dataHash: string }[];
  const latest = new Map<string, string>();
  const catalog: FundCatalog = { latestDataHashes: async () => latest };

  beforeAll(async () => {
    db = await openRunsDatabase();
    ({ queue, bus } = createDatabaseBus(db));
    storage = await tempStore();
    configId = (await createConfig(db, org, "u1", "base", CONFIG)).configId;
    funds = [await putSimulatedFund(storage, org, 11), await putSimulatedFund(storage, org, 12)];
    for (const f of funds) latest.set(f.fundIdentityHash, f.dataHash);
  });
  afterAll(async () => {
    await queue?.close(100);
    await bus?.close(100);
    await db?.close();
  });

  const submit = (selection = funds.map((f) => ({ ...f, dataHash: "" })), timeoutSeconds = 0) =>
    submitRun(
      { db, queue, storage, catalog },
      { orgId: org, by: "u1", configId, funds: selection, timeoutSeconds },
    );
  const tasksOf = (runId: string): Promise<FitTask[]> =>
    db.withOrg(org, (tx) => queuedTasks(tx, runId));
  const count = async (table: string, runId: string) =>
    Number(
      rowsOf(
        await db.withOrg(org, (tx) =>
          tx.execute(sql`SELECT count(*)::int AS n FROM ${sql.raw(table)} WHERE run_id = ${runId}`),
        ),
      )[0]?.n,
    );
  const rowsFor = async (runId: string) => ({
    results: await count("runs.posterior_results", runId),
    history: await count("runs.fund_estimation_history", runId),
    links: await count("runs.fund_version_results", runId),
  });

  it("records which data and config a run used, one queued task per fund and window", async () => {
    const runId = await submit();
    const run = await getRun(db, org, runId);
    expect(run.status).toBe("pending");
    expect(run.configHash).toMatch(/^[0-9a-f]{64}$/);
    expect(run.funds).toEqual(
      [...funds].sort((a, b) => a.fundIdentityHash.localeCompare(b.fundIdentityHash)),
    );
    const tasks = await tasksOf(runId);
    expect(tasks).toHaveLength(2);
    expect(tasks.every((t) => /^\d{4}-\d{2}-\d{2}$/.test(t.window) && t.attempt === 1)).toBe(true);
  });

  it("refuses a fund with no model input, naming it, and stores nothing", async () => {
    const before = await db.withOrg(org, async (tx) =>
      rowsOf(await tx.execute(sql`SELECT count(*)::int AS n FROM runs.model_runs`)),
    );
    const ghost = { fundIdentityHash: "f".repeat(64), dataHash: "e".repeat(64) };
    await expect(submit([ghost])).rejects.toThrow(/fund f{64} version e{64} has no model input/);
    const after = await db.withOrg(org, async (tx) =>
      rowsOf(await tx.execute(sql`SELECT count(*)::int AS n FROM runs.model_runs`)),
    );
    expect(after).toEqual(before);
  });

  it("finalizes once: results, history, links, results_hash and the outbox event together", async () => {
    const runId = await submit();
    const tasks = await tasksOf(runId);
    const results = [];
    for (const t of tasks) results.push(await succeed(storage, t));
    expect((await applyResult(db, results[0] as never)).allFinished).toBe(false);
    const last = await applyResult(db, results[1] as never);
    expect(last).toEqual({ recorded: true, allFinished: true });
    expect(await finalizeRun({ db, storage }, org, runId)).toBe("completed");

    const run = await getRun(db, org, runId);
    expect(run.status).toBe("completed");
    const artefacts = results.flatMap((r) =>
      (r.windows ?? []).flatMap((w) => [
        { key: w.posteriorsKey, sha256: w.posteriorsSha256 },
        { key: w.fullStatsKey, sha256: w.fullStatsSha256 },
      ]),
    );
    expect(run.resultsHash).toBe(resultsHash(artefacts));
    expect(await rowsFor(runId)).toEqual({ results: 2, history: 2, links: 2 });

    // The same result delivered again, and finalize called twice more: nothing changes.
    expect((await applyResult(db, results[1] as never)).recorded).toBe(false);
    expect(await finalizeRun({ db, storage }, org, runId)).toBe("unchanged");
    expect(await finalizeRun({ db, storage }, org, runId)).toBe("unchanged");
    expect(await rowsFor(runId)).toEqual({ results: 2, history: 2, links: 2 });
    expect((await getRun(db, org, runId)).resultsHash).toBe(run.resultsHash);

    // The completion goes out through the outbox once, whatever the relay's repetitions.
    const seen: string[] = [];
    const sub = await bus.subscribe("test-completed", SUBJECTS.runCompleted, async (e) => {
      if ((e.data as { runId: string }).runId === runId) seen.push(e.id);
    });
    await relayOutbox(db, bus);
    await relayOutbox(db, bus);
    await sub.stop();
    const again = await bus.subscribe("test-completed", SUBJECTS.runCompleted, async (e) => {
      if ((e.data as { runId: string }).runId === runId) seen.push(e.id);
    });
    await again.stop();
    expect(new Set(seen)).toEqual(new Set([`run-completed:${runId}`]));
  });

  it("recovers a finalize that crashed before committing: no half-finalized run", async () => {
    const runId = await submit();
    for (const t of await tasksOf(runId)) await applyResult(db, await succeed(storage, t));
    const crash = async () => {
      throw new Error("crash inside the finalize transaction");
    };
    await expect(finalizeRun({ db, storage, beforeCommit: crash }, org, runId)).rejects.toThrow(
      /crash/,
    );
    expect((await getRun(db, org, runId)).status).toBe("finalizing");
    expect(await rowsFor(runId)).toEqual({ results: 0, history: 0, links: 0 });

    const report = await reconcileOnce({ db, queue, storage, staleMs: 60_000 });
    expect(report.finalized).toContain(runId);
    expect((await getRun(db, org, runId)).status).toBe("completed");
    expect(await rowsFor(runId)).toEqual({ results: 2, history: 2, links: 2 });
  });

  it("fails a run whose artefact is missing from storage instead of pointing at nothing", async () => {
    const runId = await submit();
    const tasks = await tasksOf(runId);
    for (const t of tasks) {
      const r = await succeed(storage, t);
      await applyResult(db, r);
      if (t === tasks[0]) await storage.delete(r.windows?.[0]?.posteriorsKey ?? "");
    }
    expect(await finalizeRun({ db, storage }, org, runId)).toBe("failed");
    const run = await getRun(db, org, runId);
    expect(run.error).toMatch(/artefacts missing from storage: posteriors\//);
    expect(await rowsFor(runId)).toEqual({ results: 0, history: 0, links: 0 });
  });

  it("fails a run with a failed task, and retry re-runs only that task", async () => {
    const runId = await submit();
    const [ok, bad] = await tasksOf(runId);
    if (!ok || !bad) throw new Error("two tasks expected");
    await applyResult(db, await succeed(storage, ok));
    await applyResult(db, failed(bad, "Error: poison after 3 deliveries"));
    expect(await finalizeRun({ db, storage }, org, runId)).toBe("failed");
    expect((await getRun(db, org, runId)).error).toMatch(
      /1 task\(s\) failed; first error: .*poison/,
    );

    await retryRun(db, queue, org, runId);
    const requeued = await tasksOf(runId);
    expect(requeued.map((t) => [t.taskId, t.attempt])).toEqual([[bad.taskId, 2]]);
    expect((await getRun(db, org, runId)).status).toBe("running");
    // A late report from the first attempt is ignored; the retry's result completes the run.
    expect((await applyResult(db, await succeed(storage, bad))).recorded).toBe(false);
    const retried = requeued[0] as FitTask;
    expect((await applyResult(db, await succeed(storage, retried))).allFinished).toBe(true);
    expect(await finalizeRun({ db, storage }, org, runId)).toBe("completed");
    expect(await listResults(db, org, runId)).toHaveLength(2);
  });

  it("cancels a run: tasks cancelled, workers told through the outbox", async () => {
    const runId = await submit();
    await cancelRun(db, org, runId);
    const run = await getRun(db, org, runId);
    expect(run.status).toBe("cancelled");
    expect(await tasksOf(runId)).toEqual([]);
    const outbox = rowsOf(
      await db.withOrg(org, (tx) =>
        tx.execute(
          sql`SELECT subject, payload FROM runs.outbox WHERE id = ${`run-cancelled:${runId}`}`,
        ),
      ),
    );
    expect(outbox[0]?.subject).toBe(SUBJECTS.runCancelled);
    expect(outbox[0]?.payload).toMatchObject({ runId, upToAttempt: 1 });
    await expect(retryRun(db, queue, org, runId)).rejects.toThrow(/only a failed run/);
  });

  it("publishes again the tasks of a run that stopped moving, and only those", async () => {
    const messages = async (runId: string) =>
      rowsOf(
        await db.withApp((tx) =>
          tx.execute(sql`SELECT id FROM runtime.queue_messages WHERE id LIKE ${`${runId}:%`}`),
        ),
      ).length;
    const age = (runId: string, taskId: string | undefined, status: string) =>
      db.withOrg(org, (tx) =>
        tx.execute(sql`UPDATE runs.run_tasks SET status = ${status}, updated_at = now() - interval '1 hour'
          WHERE run_id = ${runId} AND task_id = ${taskId ?? ""}`),
      );
    const runId = await submit();
    const [a, b] = await tasksOf(runId);
    expect(await messages(runId)).toBe(2);
    // One task queued and silent for an hour, the other with news just now: the run moves, and
    // the queued task is only waiting its turn.
    await age(runId, a?.taskId, "queued");
    const first = await reconcileOnce({ db, queue, storage, staleMs: 60_000 });
    expect(first.redispatched).toBe(0);
    // Now both silent for an hour (the running one's worker died and its message was lost).
    await age(runId, b?.taskId, "running");
    const second = await reconcileOnce({ db, queue, storage, staleMs: 60_000 });
    expect(second.redispatched).toBe(2);
    expect(await messages(runId)).toBe(4);
    expect((await tasksOf(runId)).map((t) => t.attempt)).toEqual([1, 1]);
  });

  it("deletes the artefacts a task wrote as its run was cancelled: no orphans", async () => {
    const runId = await submit();
    const [t] = await tasksOf(runId);
    if (!t) throw new Error("a task expected");
    const late = await succeed(storage, t); // the worker finished just as the run was cancelled
    await cancelRun(db, org, runId);
    expect((await applyResult(db, late)).recorded).toBe(false);
    const keys = (late.windows ?? []).flatMap((w) => [w.posteriorsKey, w.fullStatsKey]);
    expect(await Promise.all(keys.map((k) => storage.exists(k)))).toEqual([true, true]);

    const report = await reconcileOnce({ db, queue, storage, staleMs: 60_000, sweepAfterMs: 0 });
    expect(report.swept).toContain(runId);
    expect(await Promise.all(keys.map((k) => storage.exists(k)))).toEqual([false, false]);
    const again = await reconcileOnce({ db, queue, storage, staleMs: 60_000, sweepAfterMs: 0 });
    expect(again.swept).not.toContain(runId);
  });

  it("fails a run past its timeout and stops its tasks", async () => {
    const runId = await submit(undefined, 60);
    await db.withOrg(org, (tx) =>
      tx.execute(
        sql`UPDATE runs.model_runs SET timeout_at = now() - interval '1 second' WHERE id = ${runId}`,
      ),
    );
    const report = await reconcileOnce({ db, queue, storage, staleMs: 60_000 });
    expect(report.timedOut).toEqual([runId]);
    const run = await getRun(db, org, runId);
    expect(run.status).toBe("failed");
    expect(run.error).toBe("the run timed out");
  });

  it("hides a run from every other organisation", async () => {
    const runId = await submit();
    await expect(getRun(db, randomUUID(), runId)).rejects.toThrow(/not found/);
  });
});
