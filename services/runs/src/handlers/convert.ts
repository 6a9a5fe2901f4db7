import { Code, ConnectError } from "@connectrpc/connect";
import { RunStatus, TaskStatus } from "@portal/api/runs/v1/runs";
import type { ConfigVersion } from "../domain/configs.js";
import type { RunView } from "../domain/queries.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The caller's organisation; a platform principal without one has no runs to act on. */
export function orgOf(orgId: string): string {
  if (!UUID.test(orgId))
    throw new ConnectError("this call needs an organisation", Code.FailedPrecondition);
  return orgId;
}

export function uuidField(value: string, field: string): string {
  if (!UUID.test(value)) throw new ConnectError(`${field} must be a uuid`, Code.InvalidArgument);
  return value.toLowerCase();
}

export function pageOf(size: number, token: string, dflt: number, max: number) {
  const limit = size <= 0 ? dflt : Math.min(size, max);
  const offset = token ? Number.parseInt(Buffer.from(token, "base64url").toString(), 10) : 0;
  if (!Number.isInteger(offset) || offset < 0)
    throw new ConnectError("page_token is not one this service issued", Code.InvalidArgument);
  return { limit, offset };
}

export const configToProto = (c: ConfigVersion) => ({
  configId: c.configId,
  name: c.name,
  version: c.version,
  configJson: JSON.stringify(c.config),
  configHash: c.configHash,
  deleted: c.deleted,
  createdBy: c.createdBy,
  createdAt: c.createdAt,
});

const RUN_STATUS: Record<string, RunStatus> = {
  pending: RunStatus.PENDING,
  running: RunStatus.RUNNING,
  finalizing: RunStatus.FINALIZING,
  completed: RunStatus.COMPLETED,
  failed: RunStatus.FAILED,
  cancelled: RunStatus.CANCELLED,
};

export const TASK_STATUS: Record<string, TaskStatus> = {
  queued: TaskStatus.QUEUED,
  running: TaskStatus.RUNNING,
  succeeded: TaskStatus.SUCCEEDED,
  failed: TaskStatus.FAILED,
  cancelled: TaskStatus.CANCELLED,
};

export const runToProto = (r: RunView) => ({
  runId: r.runId,
  status: RUN_STATUS[r.status] ?? RunStatus.UNSPECIFIED,
  configId: r.configId,
  configVersion: r.configVersion,
  configHash: r.configHash,
  funds: r.funds,
  tasksTotal: r.tasksTotal,
  tasksDone: r.tasksDone,
  tasksFailed: r.tasksFailed,
  resultsHash: r.resultsHash,
  error: r.error,
  createdAt: r.createdAt,
  finishedAt: r.finishedAt,
  kind: r.kind,
});
