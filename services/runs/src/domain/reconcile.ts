/**
 * The reconciler: PostgreSQL is the record, NATS only transport (DESIGN.md section 2). It
 * finishes what a crash or a lost message left half-way: runs left `finalizing` are finalized;
 * runs whose tasks all finished are finalized (their last result was recorded, the trigger lost);
 * tasks queued or running with no news for `staleMs` are put on the queue again; runs past their
 * timeout fail and their workers are told to stop.
 */

import type { Database, ObjectStore, WorkQueue } from "@portal/runtime";
import { CROSS_ORG_ROLE, rowsOf } from "@portal/runtime";
import { SUBJECTS } from "@portal/sampler-service/contract";
import { sql } from "drizzle-orm";
import { maxAttempt } from "./cancel-retry.js";
import { dispatch, queuedTasks } from "./dispatch.js";
import type { FinalizeDeps } from "./finalize.js";
import { failRun, finalizeRun } from "./finalize.js";
import { addToOutbox } from "./outbox.js";
import { str } from "./sql-values.js";

export interface ReconcileDeps {
  db: Database;
  queue: WorkQueue;
  storage: ObjectStore;
  /** Silence after which a queued or running task is dispatched again. */
  staleMs: number;
  /** Time a cancelled run's workers get to stop before its artefacts are deleted (default 60 s). */
  sweepAfterMs?: number;
  beforeCommit?: FinalizeDeps["beforeCommit"];
}

export interface ReconcileReport {
  finalized: string[];
  timedOut: string[];
  redispatched: number;
  /** Cancelled runs whose artefacts were deleted. */
  swept: string[];
}

export async function reconcileOnce(deps: ReconcileDeps): Promise<ReconcileReport> {
  const report: ReconcileReport = { finalized: [], timedOut: [], redispatched: 0, swept: [] };
  // Ids of active runs across organisations (runs migration 0001's narrow policy); the rest
  // happens under each run's organisation.
  const active = await deps.db.withRole(CROSS_ORG_ROLE, async (tx) =>
    rowsOf(
      await tx.execute(sql`SELECT id, org_id, status, timeout_at < now() AS overdue
        FROM runs.model_runs WHERE status IN ('pending', 'running', 'finalizing')`),
    ),
  );
  for (const r of active) {
    const runId = str(r.id);
    const orgId = str(r.org_id);
    if (r.overdue === true && str(r.status) !== "finalizing") {
      if (await timeOut(deps.db, orgId, runId)) report.timedOut.push(runId);
      continue;
    }
    const stale = await deps.db.withOrg(orgId, async (tx) => {
      const staleAfter = `${deps.staleMs} milliseconds`;
      const left = rowsOf(
        await tx.execute(sql`SELECT task_id, status, updated_at < now() - ${staleAfter}::interval AS stale
          FROM runs.run_tasks WHERE run_id = ${runId} AND status IN ('queued', 'running')`),
      );
      if (left.length === 0) return null;
      // A queued task waits its turn while the run's other tasks move: only when none of them has
      // reported for `staleMs` may its message have been lost. A running task that went silent
      // is lost whatever the others do.
      const moving =
        rowsOf(
          await tx.execute(sql`SELECT bool_or(updated_at >= now() - ${staleAfter}::interval) AS moving
          FROM runs.run_tasks WHERE run_id = ${runId}`),
        )[0]?.moving === true;
      const ids = left
        .filter((t) => t.stale === true && (t.status === "running" || !moving))
        .map((t) => str(t.task_id));
      if (ids.length === 0) return [];
      // Running tasks with no news go back to queued: the next delivery reports itself.
      await tx.execute(sql`UPDATE runs.run_tasks SET status = 'queued', updated_at = now()
        WHERE run_id = ${runId} AND task_id IN (${sql.join(
          ids.map((i) => sql`${i}`),
          sql`, `,
        )})
          AND status IN ('queued', 'running')`);
      return queuedTasks(tx, runId, ids);
    });
    if (stale === null) {
      const out = await finalizeRun(deps, orgId, runId);
      if (out !== "unchanged") report.finalized.push(runId);
    } else if (stale.length > 0) {
      await dispatch(deps.queue, stale, `r${Date.now()}`);
      report.redispatched += stale.length;
    }
  }
  report.swept = await sweepCancelled(deps);
  return report;
}

/**
 * Deletes what workers wrote for a cancelled run (a task can finish as the run is cancelled; its
 * result is then ignored), once they have had time to stop, so no artefact is left that no
 * result points at. Failed runs keep theirs: a retry reuses the finished tasks' results.
 */
async function sweepCancelled(deps: ReconcileDeps): Promise<string[]> {
  const after = `${deps.sweepAfterMs ?? 60_000} milliseconds`;
  const runs = await deps.db.withRole(CROSS_ORG_ROLE, async (tx) =>
    rowsOf(
      await tx.execute(sql`SELECT id, org_id FROM runs.model_runs
        WHERE status = 'cancelled' AND artefacts_swept_at IS NULL
          AND finished_at < now() - ${after}::interval LIMIT 50`),
    ),
  );
  const swept: string[] = [];
  for (const r of runs) {
    const runId = str(r.id);
    const orgId = str(r.org_id);
    const funds = await deps.db.withOrg(orgId, async (tx) =>
      rowsOf(
        await tx.execute(
          sql`SELECT fund_identity_hash FROM runs.run_funds WHERE run_id = ${runId}`,
        ),
      ),
    );
    for (const f of funds) {
      for (const kind of ["posteriors", "full_stats"]) {
        const prefix = `${kind}/${orgId}/${str(f.fund_identity_hash)}/${runId}_`;
        for (const key of await deps.storage.list(prefix)) await deps.storage.delete(key);
      }
    }
    await deps.db.withOrg(orgId, (tx) =>
      tx.execute(sql`UPDATE runs.model_runs SET artefacts_swept_at = now() WHERE id = ${runId}`),
    );
    swept.push(runId);
  }
  return swept;
}

async function timeOut(db: Database, orgId: string, runId: string): Promise<boolean> {
  return db.withOrg(orgId, async (tx) => {
    const run = rowsOf(
      await tx.execute(sql`SELECT status, timeout_at < now() AS overdue FROM runs.model_runs
        WHERE id = ${runId} FOR UPDATE`),
    )[0];
    if (!run || !["pending", "running"].includes(str(run.status)) || run.overdue !== true)
      return false;
    await tx.execute(sql`UPDATE runs.run_tasks SET status = 'cancelled', error = 'run timed out',
        finished_at = now(), updated_at = now()
      WHERE run_id = ${runId} AND status IN ('queued', 'running')`);
    await failRun(tx, orgId, runId, "the run timed out");
    await addToOutbox(tx, orgId, `run-timeout:${runId}`, SUBJECTS.runCancelled, {
      runId,
      orgId,
      reason: "the run timed out",
      upToAttempt: await maxAttempt(tx, runId),
    });
    return true;
  });
}
