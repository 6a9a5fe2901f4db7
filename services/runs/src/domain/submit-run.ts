import type { RunConfig } from "@portal/navcast";
import type { Database, ObjectStore, Tx, WorkQueue } from "@portal/runtime";
import { rowsOf } from "@portal/runtime";
import { sql } from "drizzle-orm";
import { loadConfigForRun } from "./configs.js";
import { dispatch, queuedTasks } from "./dispatch.js";
import { invalid } from "./errors.js";
import type { FundCatalog, FundSelection, PlannedFund } from "./fund-inputs.js";
import { planFunds } from "./fund-inputs.js";

export const DEFAULT_TIMEOUT_S = 7200;
const MAX_TIMEOUT_S = 86_400;

export interface RunDeps {
  db: Database;
  queue: WorkQueue;
  storage: ObjectStore;
}

/** A task id: the fund (first 16 hex digits) and the window, unique within a run. */
export const taskIdOf = (fund: string, window: string) => `${fund.slice(0, 16)}-${window}`;

/** Inserts a run with its funds and tasks (all queued) and returns its id. */
export async function insertRun(
  tx: Tx,
  r: {
    orgId: string;
    by: string;
    kind: "fit" | "simulation";
    configId: string | null;
    configVersion: number;
    configHash: string;
    config: Record<string, unknown>;
    timeoutSeconds: number;
    funds: PlannedFund[];
  },
): Promise<string> {
  const row = rowsOf(
    await tx.execute(sql`INSERT INTO runs.model_runs
        (org_id, kind, config_id, config_version, config_hash, config, timeout_at, created_by)
      VALUES (${r.orgId}, ${r.kind}, ${r.configId}, ${r.configVersion}, ${r.configHash},
        ${JSON.stringify(r.config)}::jsonb, now() + ${`${r.timeoutSeconds} seconds`}::interval, ${r.by})
      RETURNING id`),
  )[0];
  const runId = String(row?.id);
  for (const f of r.funds) {
    await tx.execute(sql`INSERT INTO runs.run_funds
        (org_id, run_id, fund_identity_hash, data_hash, input_key, input_sha256, truth)
      VALUES (${r.orgId}, ${runId}, ${f.fundIdentityHash}, ${f.dataHash}, ${f.inputKey}, ${f.inputSha256},
        ${f.truth ? JSON.stringify(f.truth) : null}::jsonb)`);
    for (const w of f.windows) {
      await tx.execute(sql`INSERT INTO runs.run_tasks (org_id, run_id, task_id, fund_identity_hash, window_end)
        VALUES (${r.orgId}, ${runId}, ${taskIdOf(f.fundIdentityHash, w)}, ${f.fundIdentityHash}, ${w})`);
    }
  }
  return runId;
}

export function checkTimeout(seconds: number): number {
  if (seconds === 0) return DEFAULT_TIMEOUT_S;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TIMEOUT_S)
    throw invalid(`timeout_seconds must be from 1 to ${MAX_TIMEOUT_S}`, {
      field: "timeout_seconds",
    });
  return seconds;
}

/**
 * Submits a run: the config's current version (integrity-checked), each fund's version and
 * model input, one task per fund and window, committed together; then the tasks go on the
 * queue. A crash between the two leaves queued tasks that the reconciler dispatches.
 */
export async function submitRun(
  deps: RunDeps & { catalog: FundCatalog },
  input: {
    orgId: string;
    by: string;
    configId: string;
    funds: FundSelection[];
    timeoutSeconds: number;
  },
): Promise<string> {
  const timeoutSeconds = checkTimeout(input.timeoutSeconds);
  if (!input.configId) throw invalid("config_id is required", { field: "config_id" });
  const cfg = await deps.db.withOrg(input.orgId, (tx) => loadConfigForRun(tx, input.configId));
  const funds = await planFunds(deps, input.orgId, input.funds, cfg.resolved as RunConfig);
  const { runId, tasks } = await deps.db.withOrg(input.orgId, async (tx) => {
    const id = await insertRun(tx, {
      orgId: input.orgId,
      by: input.by,
      kind: "fit",
      configId: cfg.configId,
      configVersion: cfg.version,
      configHash: cfg.configHash,
      config: cfg.config,
      timeoutSeconds,
      funds,
    });
    return { runId: id, tasks: await queuedTasks(tx, id) };
  });
  await dispatch(deps.queue, tasks);
  return runId;
}
