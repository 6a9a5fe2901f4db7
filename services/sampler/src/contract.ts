/**
 * What the runs service and sampler workers say to each other: the task on the work queue and
 * the events on the bus. JSON, versioned by `v`; both sides validate what they receive. This is
 * the one module runs imports from the sampler package (types and names, no behaviour).
 */

/** The work queue tasks go on (a JetStream work-queue stream in distributed mode). */
export const TASK_QUEUE = "sampler-tasks";

/** Bus subjects. Workers publish `runs.task.*`; the runs service publishes `runs.run.*`. */
export const SUBJECTS = {
  taskStarted: "runs.task.started",
  taskProgress: "runs.task.progress",
  taskLog: "runs.task.log",
  taskResult: "runs.task.result",
  /** Tells workers to stop a run's tasks (cancel, timeout). */
  runCancelled: "runs.run.cancelled",
  runCompleted: "runs.run.completed",
  runFailed: "runs.run.failed",
} as const;

/** One fit task: one fund, one window (or all windows, in sequential mode). */
export interface FitTask {
  v: 1;
  runId: string;
  orgId: string;
  taskId: string;
  attempt: number;
  fundIdentityHash: string;
  dataHash: string;
  /** Object key of the fund's model input (MODEL.md section-10 JSON). */
  inputKey: string;
  /** SHA-256 of those bytes when the run was submitted: a changed input fails the task. */
  inputSha256: string;
  /** An ISO week-end date, "last", or "all" (every window of the config: sequential mode). */
  window: string;
  /** The config as stored (snake_case), parsed by @portal/navcast's parseRunConfig. */
  config: Record<string, unknown>;
  configHash: string;
}

/** Identifies one delivery of one attempt of a task in every event. */
export interface TaskRef {
  runId: string;
  orgId: string;
  taskId: string;
  attempt: number;
}

export interface TaskStarted extends TaskRef {
  delivery: number;
  worker: string;
  startedAt: string;
}

export interface TaskProgress extends TaskRef {
  delivery: number;
  /** 0..1 over the task's windows and chains. */
  fraction: number;
}

export interface TaskLog extends TaskRef {
  delivery: number;
  line: number;
  level: "info" | "warn" | "error";
  message: string;
  at: string;
}

/** One fitted window's artefacts and summary. */
export interface WindowArtefacts {
  /** The window end (ISO date). */
  window: string;
  posteriorsKey: string;
  posteriorsSha256: string;
  fullStatsKey: string;
  fullStatsSha256: string;
  /** Parameter summaries, the nowcast and the sampler block (MODEL.md section 10). */
  summary: Record<string, unknown>;
}

export interface TaskResult extends TaskRef {
  status: "succeeded" | "failed" | "cancelled";
  worker: string;
  windows?: WindowArtefacts[];
  error?: string;
}

export interface RunCancelled {
  runId: string;
  orgId: string;
  reason: string;
  /** Tasks of this attempt or earlier stop; a retry's later attempts are not affected. */
  upToAttempt: number;
}

/** Object keys of a window's artefacts (seed section 7.3, one file per window). */
export function artefactKeys(
  t: Pick<FitTask, "orgId" | "fundIdentityHash" | "runId">,
  window: string,
): { posteriorsKey: string; fullStatsKey: string } {
  const base = `${t.orgId}/${t.fundIdentityHash}/${t.runId}_${window}`;
  return {
    posteriorsKey: `posteriors/${base}.parquet`,
    fullStatsKey: `full_stats/${base}.parquet`,
  };
}

const HASH = /^[0-9a-f]{64}$/;

/** Checks a task payload from the queue; throws naming the first bad field. */
export function parseFitTask(raw: unknown): FitTask {
  const o = (raw ?? {}) as Record<string, unknown>;
  const str = (k: string) => {
    if (typeof o[k] !== "string" || o[k] === "") throw new Error(`task payload: ${k} is missing`);
    return o[k] as string;
  };
  if (o.v !== 1) throw new Error(`task payload: version ${String(o.v)} is not supported`);
  for (const k of ["fundIdentityHash", "dataHash", "inputSha256", "configHash"]) {
    if (!HASH.test(str(k))) throw new Error(`task payload: ${k} is not a SHA-256 hex digest`);
  }
  if (typeof o.attempt !== "number" || o.attempt < 1)
    throw new Error("task payload: attempt must be a positive number");
  if (typeof o.config !== "object" || o.config === null || Array.isArray(o.config))
    throw new Error("task payload: config must be an object");
  for (const k of ["runId", "orgId", "taskId", "inputKey", "window"]) str(k);
  return o as unknown as FitTask;
}
