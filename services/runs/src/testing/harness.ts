/** Test helpers: a migrated database, simulated fund inputs, and results as a worker reports them. */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256Hex } from "@portal/hashing";
import {
  createRng,
  dataHash,
  drawParams,
  fundToJson,
  generateSkeleton,
  simulateFund,
} from "@portal/navcast";
import type { Database, ObjectStore } from "@portal/runtime";
import { createLocalStore, openDatabase } from "@portal/runtime";
import type { FitTask, TaskResult } from "@portal/sampler-service/contract";
import { artefactKeys } from "@portal/sampler-service/contract";
import { modelInputKey } from "../domain/fund-inputs.js";

export const RUNS_MIGRATIONS = fileURLToPath(new URL("../../migrations", import.meta.url));

export async function openRunsDatabase(url?: string): Promise<Database> {
  const db = await openDatabase({ url, poolSize: 4 });
  await db.migrate("runs", RUNS_MIGRATIONS);
  return db;
}

export async function tempStore(): Promise<ObjectStore> {
  return createLocalStore({
    root: await mkdtemp(join(tmpdir(), "runs-objects-")),
    publicBaseUrl: "http://localhost/files",
    signingKey: new Uint8Array(32),
  });
}

/** A short simulated fund stored as a model input; returns what a run selects it by. */
export async function putSimulatedFund(
  storage: ObjectStore,
  orgId: string,
  seed: number,
  years = 2,
): Promise<{ fundIdentityHash: string; dataHash: string }> {
  const fund = simulateFund(
    generateSkeleton({ seed, years, name: `sim-${seed}` }),
    drawParams(createRng(seed)),
    { seed },
  );
  const fundIdentityHash = sha256Hex(`test-fund|${orgId}|${seed}`);
  const hash = dataHash(fund);
  await storage.put(
    modelInputKey(orgId, fundIdentityHash, hash),
    new TextEncoder().encode(JSON.stringify(fundToJson(fund))),
  );
  return { fundIdentityHash, dataHash: hash };
}

/** Writes stand-in artefacts for a task and returns the result a worker would publish. */
export async function succeed(storage: ObjectStore, t: FitTask): Promise<TaskResult> {
  const window = t.window;
  const keys = artefactKeys(t, window);
  const a = new TextEncoder().encode(`posteriors of ${t.taskId}`);
  const b = new TextEncoder().encode(`stats of ${t.taskId}`);
  await storage.put(keys.posteriorsKey, a);
  await storage.put(keys.fullStatsKey, b);
  return {
    runId: t.runId,
    orgId: t.orgId,
    taskId: t.taskId,
    attempt: t.attempt,
    worker: "test",
    status: "succeeded",
    windows: [
      {
        window,
        ...keys,
        posteriorsSha256: sha256Hex(a),
        fullStatsSha256: sha256Hex(b),
        summary: { params: { alpha: { mean: 0.01, q05: -0.1, q95: 0.1 } } },
      },
    ],
  };
}

export const failed = (t: FitTask, error: string): TaskResult => ({
  runId: t.runId,
  orgId: t.orgId,
  taskId: t.taskId,
  attempt: t.attempt,
  worker: "test",
  status: "failed",
  error,
});
