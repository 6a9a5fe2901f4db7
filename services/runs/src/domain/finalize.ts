/**
 * Finalize, exactly once (seed section 15, finding P2). When every task of a run has finished:
 * a run with a failed task fails; otherwise it moves to `finalizing` (committed, so a crash
 * leaves a mark the reconciler picks up), its artefacts are checked in object storage, and then
 * ONE transaction writes the posterior results, the estimation history, the links from fund
 * versions to results, the simulation results (simulation lab), the run's results_hash and
 * status, and the outbox event. The run row is locked and its status checked first, so a
 * second finalize, concurrent or later, changes nothing.
 */

import { resultsHash } from "@portal/hashing";
import type { Database, ObjectStore, Tx } from "@portal/runtime";
import { rowsOf } from "@portal/runtime";
import type { WindowArtefacts } from "@portal/sampler-service/contract";
import { SUBJECTS } from "@portal/sampler-service/contract";
import { sql } from "drizzle-orm";
import { addToOutbox } from "./outbox.js";
import { json, str } from "./sql-values.js";

export type FinalizeOutcome = "completed" | "failed" | "unchanged";

export interface FinalizeDeps {
  db: Database;
  storage: ObjectStore;
  /** Test hook: runs inside the final transaction, just before it commits. */
  beforeCommit?: (runId: string) => Promise<void>;
}

const FINAL = ["completed", "failed", "cancelled"];

async function lockRun(tx: Tx, runId: string) {
  return rowsOf(
    await tx.execute(
      sql`SELECT status, kind, config_hash FROM runs.model_runs WHERE id = ${runId} FOR UPDATE`,
    ),
  )[0];
}

/** Fails a run (in the caller's transaction) and announces it. */
export async function failRun(tx: Tx, orgId: string, runId: string, error: string): Promise<void> {
  await tx.execute(sql`UPDATE runs.model_runs SET status = 'failed', error = ${error},
      finished_at = now(), updated_at = now() WHERE id = ${runId}`);
  await addToOutbox(tx, orgId, `run-failed:${runId}:${Date.now()}`, SUBJECTS.runFailed, {
    runId,
    orgId,
    error,
  });
}

interface Finished {
  fund: string;
  dataHash: string;
  truth: Record<string, number> | null;
  windows: WindowArtefacts[];
}

/** Moves a run whose tasks all finished to failed or finalizing; returns what to do next. */
async function settle(
  db: Database,
  orgId: string,
  runId: string,
): Promise<"finalize" | FinalizeOutcome> {
  return db.withOrg(orgId, async (tx) => {
    const run = await lockRun(tx, runId);
    if (!run || FINAL.includes(str(run.status))) return "unchanged";
    if (str(run.status) === "finalizing") return "finalize";
    const counts = rowsOf(
      await tx.execute(sql`SELECT status, count(*)::int AS n, min(error) AS error
        FROM runs.run_tasks WHERE run_id = ${runId} GROUP BY status`),
    );
    const n = (s: string) => Number(counts.find((c) => c.status === s)?.n ?? 0);
    if (n("queued") + n("running") > 0) return "unchanged";
    const bad = n("failed") + n("cancelled");
    if (bad > 0) {
      const first = str(counts.find((c) => c.status === "failed")?.error);
      await failRun(
        tx,
        orgId,
        runId,
        `${bad} task(s) failed${first ? `; first error: ${first}` : ""}`,
      );
      return "failed";
    }
    await tx.execute(
      sql`UPDATE runs.model_runs SET status = 'finalizing', updated_at = now() WHERE id = ${runId}`,
    );
    return "finalize";
  });
}

async function finishedTasks(tx: Tx, runId: string): Promise<Finished[]> {
  const rows = rowsOf(
    await tx.execute(sql`SELECT t.fund_identity_hash, f.data_hash, f.truth, t.result
      FROM runs.run_tasks t JOIN runs.run_funds f
        ON f.run_id = t.run_id AND f.fund_identity_hash = t.fund_identity_hash
      WHERE t.run_id = ${runId} ORDER BY t.task_id`),
  );
  return rows.map((r) => ({
    fund: str(r.fund_identity_hash),
    dataHash: str(r.data_hash),
    truth: r.truth ? json(r.truth) : null,
    windows: json<WindowArtefacts[] | null>(r.result) ?? [],
  }));
}

export async function finalizeRun(
  deps: FinalizeDeps,
  orgId: string,
  runId: string,
): Promise<FinalizeOutcome> {
  const next = await settle(deps.db, orgId, runId);
  if (next !== "finalize") return next;

  const tasks = await deps.db.withOrg(orgId, (tx) => finishedTasks(tx, runId));
  // Every artefact a result row will point at must exist: no row without its file.
  const keys = tasks.flatMap((t) => t.windows.flatMap((w) => [w.posteriorsKey, w.fullStatsKey]));
  const missing: string[] = [];
  // A few checks at a time: a large run has thousands of artefacts.
  for (let i = 0; i < keys.length; i += 16) {
    const batch = keys.slice(i, i + 16);
    const found = await Promise.all(batch.map((k) => deps.storage.exists(k)));
    batch.forEach((k, j) => {
      if (!found[j]) missing.push(k);
    });
  }

  return deps.db.withOrg(orgId, async (tx) => {
    const run = await lockRun(tx, runId);
    if (!run || str(run.status) !== "finalizing") return "unchanged";
    if (missing.length > 0 || tasks.every((t) => t.windows.length === 0)) {
      await failRun(
        tx,
        orgId,
        runId,
        missing.length > 0
          ? `artefacts missing from storage: ${missing.slice(0, 3).join(", ")}`
          : "the run produced no results",
      );
      return "failed";
    }
    const artefacts: { key: string; sha256: string }[] = [];
    for (const t of tasks) {
      for (const w of t.windows) {
        artefacts.push(
          { key: w.posteriorsKey, sha256: w.posteriorsSha256 },
          { key: w.fullStatsKey, sha256: w.fullStatsSha256 },
        );
        const inserted = rowsOf(
          await tx.execute(sql`INSERT INTO runs.posterior_results
              (org_id, run_id, fund_identity_hash, data_hash, window_end, posteriors_key, posteriors_sha256,
               full_stats_key, full_stats_sha256, summary)
            VALUES (${orgId}, ${runId}, ${t.fund}, ${t.dataHash}, ${w.window}, ${w.posteriorsKey}, ${w.posteriorsSha256},
              ${w.fullStatsKey}, ${w.fullStatsSha256}, ${JSON.stringify(w.summary)}::jsonb)
            RETURNING id`),
        )[0];
        await tx.execute(sql`INSERT INTO runs.fund_version_results
            (org_id, fund_identity_hash, data_hash, run_id, posterior_result_id)
          VALUES (${orgId}, ${t.fund}, ${t.dataHash}, ${runId}, ${str(inserted?.id)})`);
        if (t.truth) await recordSimulation(tx, orgId, runId, t, w);
      }
    }
    const byFund = new Map<string, Finished[]>();
    for (const t of tasks) byFund.set(t.fund, [...(byFund.get(t.fund) ?? []), t]);
    for (const [fund, ts] of byFund) {
      await tx.execute(sql`INSERT INTO runs.fund_estimation_history
          (org_id, fund_identity_hash, run_id, data_hash, config_hash, windows)
        VALUES (${orgId}, ${fund}, ${runId}, ${ts[0]?.dataHash ?? ""}, ${str(run.config_hash)},
          ${ts.reduce((a, t) => a + t.windows.length, 0)})`);
    }
    const hash = resultsHash(artefacts);
    await tx.execute(sql`UPDATE runs.model_runs SET status = 'completed', results_hash = ${hash},
        error = NULL, finished_at = now(), updated_at = now() WHERE id = ${runId}`);
    await addToOutbox(tx, orgId, `run-completed:${runId}`, SUBJECTS.runCompleted, {
      runId,
      orgId,
      resultsHash: hash,
      funds: [...byFund.keys()],
    });
    await deps.beforeCommit?.(runId);
    return "completed";
  });
}

async function recordSimulation(
  tx: Tx,
  orgId: string,
  runId: string,
  t: Finished,
  w: WindowArtefacts,
): Promise<void> {
  const params = (w.summary.params ?? {}) as Record<
    string,
    { mean: number; q05: number; q95: number }
  >;
  const replication = Number(t.truth?.replication ?? 0);
  for (const [param, truth] of Object.entries(t.truth ?? {})) {
    const s = params[param];
    if (!s || param === "replication") continue;
    await tx.execute(sql`INSERT INTO runs.simulation_results
        (org_id, run_id, fund_identity_hash, replication, param, true_value, posterior_mean, q05, q95, covered)
      VALUES (${orgId}, ${runId}, ${t.fund}, ${replication}, ${param}, ${truth}, ${s.mean}, ${s.q05}, ${s.q95},
        ${s.q05 <= truth && truth <= s.q95})`);
  }
}
