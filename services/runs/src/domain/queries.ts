/** Reads of runs, tasks, logs and results for the API; every one under the caller's organisation. */
import type { Database } from "@portal/runtime";
import { rowsOf } from "@portal/runtime";
import { sql } from "drizzle-orm";
import { notFound } from "./errors.js";
import { iso, str } from "./sql-values.js";

export interface RunView {
  runId: string;
  kind: string;
  status: string;
  configId: string;
  configVersion: number;
  configHash: string;
  funds: { fundIdentityHash: string; dataHash: string }[];
  tasksTotal: number;
  tasksDone: number;
  tasksFailed: number;
  resultsHash: string;
  error: string;
  createdAt: string;
  finishedAt: string;
}

const RUN_COLUMNS = sql`r.id, r.kind, r.status, r.config_id, r.config_version, r.config_hash, r.results_hash, r.error,
  r.created_at, r.finished_at,
  (SELECT count(*)::int FROM runs.run_tasks t WHERE t.run_id = r.id) AS total,
  (SELECT count(*)::int FROM runs.run_tasks t WHERE t.run_id = r.id AND t.status = 'succeeded') AS done,
  (SELECT count(*)::int FROM runs.run_tasks t WHERE t.run_id = r.id AND t.status = 'failed') AS failed,
  (SELECT coalesce(json_agg(json_build_object('f', f.fund_identity_hash, 'd', f.data_hash) ORDER BY f.fund_identity_hash), '[]')
     FROM runs.run_funds f WHERE f.run_id = r.id) AS funds`;

function toRun(r: Record<string, unknown>): RunView {
  const funds = (typeof r.funds === "string" ? JSON.parse(r.funds) : r.funds) as {
    f: string;
    d: string;
  }[];
  return {
    runId: str(r.id),
    kind: str(r.kind),
    status: str(r.status),
    configId: str(r.config_id),
    configVersion: Number(r.config_version),
    configHash: str(r.config_hash),
    funds: funds.map((f) => ({ fundIdentityHash: str(f.f), dataHash: str(f.d) })),
    tasksTotal: Number(r.total),
    tasksDone: Number(r.done),
    tasksFailed: Number(r.failed),
    resultsHash: str(r.results_hash),
    error: str(r.error),
    createdAt: iso(r.created_at),
    finishedAt: r.finished_at ? iso(r.finished_at) : "",
  };
}

export async function getRun(db: Database, orgId: string, runId: string): Promise<RunView> {
  const r = await db.withOrg(
    orgId,
    async (tx) =>
      rowsOf(
        await tx.execute(sql`SELECT ${RUN_COLUMNS} FROM runs.model_runs r WHERE r.id = ${runId}`),
      )[0],
  );
  if (!r) throw notFound(`run ${runId} not found`);
  return toRun(r);
}

export async function listRuns(
  db: Database,
  orgId: string,
  page: { limit: number; offset: number },
): Promise<RunView[]> {
  const rows = await db.withOrg(orgId, async (tx) =>
    rowsOf(
      await tx.execute(sql`SELECT ${RUN_COLUMNS} FROM runs.model_runs r
        ORDER BY r.created_at DESC, r.id LIMIT ${page.limit} OFFSET ${page.offset}`),
    ),
  );
  return rows.map(toRun);
}

async function requireRun(db: Database, orgId: string, runId: string) {
  await getRun(db, orgId, runId);
}

export async function listTasks(db: Database, orgId: string, runId: string) {
  await requireRun(db, orgId, runId);
  const rows = await db.withOrg(orgId, async (tx) =>
    rowsOf(
      await tx.execute(sql`SELECT * FROM runs.run_tasks WHERE run_id = ${runId} ORDER BY task_id`),
    ),
  );
  return rows.map((t) => ({
    taskId: str(t.task_id),
    fundIdentityHash: str(t.fund_identity_hash),
    window: str(t.window_end),
    status: str(t.status),
    progress: Number(t.progress),
    attempt: Number(t.attempt),
    deliveries: Number(t.deliveries),
    error: str(t.error),
    worker: str(t.worker),
  }));
}

export async function listLogs(
  db: Database,
  orgId: string,
  runId: string,
  afterSeq: bigint,
  limit: number,
) {
  await requireRun(db, orgId, runId);
  const rows = await db.withOrg(orgId, async (tx) =>
    rowsOf(
      await tx.execute(sql`SELECT seq, task_id, level, message, logged_at FROM runs.run_logs
        WHERE run_id = ${runId} AND seq > ${afterSeq.toString()}::bigint ORDER BY seq LIMIT ${limit}`),
    ),
  );
  return rows.map((l) => ({
    seq: BigInt(str(l.seq)),
    taskId: str(l.task_id),
    level: str(l.level),
    message: String(l.message),
    loggedAt: iso(l.logged_at),
  }));
}

export async function listResults(db: Database, orgId: string, runId: string) {
  await requireRun(db, orgId, runId);
  const rows = await db.withOrg(orgId, async (tx) =>
    rowsOf(
      await tx.execute(sql`SELECT * FROM runs.posterior_results WHERE run_id = ${runId}
        ORDER BY fund_identity_hash, window_end`),
    ),
  );
  return rows.map((p) => ({
    fundIdentityHash: str(p.fund_identity_hash),
    dataHash: str(p.data_hash),
    window: str(p.window_end),
    posteriorsKey: str(p.posteriors_key),
    fullStatsKey: str(p.full_stats_key),
    summaryJson: typeof p.summary === "string" ? p.summary : JSON.stringify(p.summary),
  }));
}

export async function listSimulationResults(db: Database, orgId: string, runId: string) {
  const rows = await db.withOrg(orgId, async (tx) =>
    rowsOf(
      await tx.execute(sql`SELECT * FROM runs.simulation_results WHERE run_id = ${runId}
        ORDER BY replication, param`),
    ),
  );
  return rows.map((s) => ({
    replication: Number(s.replication),
    param: str(s.param),
    trueValue: Number(s.true_value),
    posteriorMean: Number(s.posterior_mean),
    q05: Number(s.q05),
    q95: Number(s.q95),
    covered: s.covered === true,
  }));
}
