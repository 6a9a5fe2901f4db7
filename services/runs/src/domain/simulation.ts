/**
 * The simulation lab (admin): simulates funds with known parameters (navcast's skeleton and
 * simulator), stores each as a model input, and runs them through the same queue, workers and
 * finalize as any run; finalize records recovered against true parameters (simulation_results).
 */
import { sha256Hex } from "@portal/hashing";
import type { SkeletonOptions, TrueParams } from "@portal/navcast";
import {
  configHash,
  createRng,
  dataHash,
  drawParams,
  fundToJson,
  generateSkeleton,
  simulateFund,
} from "@portal/navcast";
import { validateConfig } from "./configs.js";
import { dispatch, queuedTasks } from "./dispatch.js";
import { invalid } from "./errors.js";
import type { PlannedFund } from "./fund-inputs.js";
import { planWindows } from "./fund-inputs.js";
import type { RunDeps } from "./submit-run.js";
import { DEFAULT_TIMEOUT_S, insertRun } from "./submit-run.js";

/**
 * Studies belong to the platform, not to a customer organisation: identity's "platform"
 * organisation, whose id is fixed (identity's PLATFORM_ORG_ID, the super admins' organisation), so
 * a super admin's own session reads a study's run, tasks and logs.
 */
export const PLATFORM_ORG = "00000000-0000-4000-8000-000000000000";

const PARAMS = [
  "alpha",
  "beta",
  "F",
  "rho",
  "lambda",
  "sigma_n",
  "log_delta",
  "sigma_d",
  "sigma_s",
];

export interface StudyInput {
  by: string;
  replications: number;
  seed: number;
  skeleton: Record<string, unknown>;
  /** Fixed true parameters; null draws each replication's from the prior. */
  params: Record<string, number> | null;
  config: Record<string, unknown>;
}

function parseJsonObject(text: string, field: string): Record<string, unknown> | null {
  if (!text.trim()) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw invalid(`${field} is not valid JSON: ${(e as Error).message}`, { field });
  }
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw invalid(`${field} must be a JSON object`, { field });
  return v as Record<string, unknown>;
}

/** Checks the request's JSON fields; errors name the field. */
export function parseStudy(req: {
  by: string;
  replications: number;
  seed: number;
  skeletonJson: string;
  parametersJson: string;
  configJson: string;
}): StudyInput {
  if (!Number.isInteger(req.replications) || req.replications < 1 || req.replications > 200)
    throw invalid("replications must be from 1 to 200", { field: "replications" });
  const skeleton = parseJsonObject(req.skeletonJson, "skeleton_json") ?? {};
  for (const k of Object.keys(skeleton))
    if (!["years", "start", "commitment", "secondaryCount"].includes(k))
      throw invalid(`skeleton_json: unknown key ${k}`, { field: `skeleton_json.${k}` });
  const params = parseJsonObject(req.parametersJson, "parameters_json");
  if (params) {
    for (const p of PARAMS)
      if (typeof params[p] !== "number")
        throw invalid(`parameters_json.${p} must be a number`, { field: p });
  }
  const config = { ...(parseJsonObject(req.configJson, "config_json") ?? {}), windows: "last" };
  validateConfig(config);
  return {
    by: req.by,
    replications: req.replications,
    seed: req.seed,
    skeleton,
    params: params as Record<string, number> | null,
    config,
  };
}

export async function submitSimulationStudy(deps: RunDeps, s: StudyInput): Promise<string> {
  const resolved = validateConfig(s.config);
  const studyKey = sha256Hex(`simulation|${s.by}|${s.seed}|${Date.now()}|${Math.random()}`).slice(
    0,
    16,
  );
  const funds: PlannedFund[] = [];
  for (let r = 1; r <= s.replications; r++) {
    const seed = s.seed + r;
    const sk = generateSkeleton({
      ...(s.skeleton as Partial<SkeletonOptions>),
      seed,
      name: `sim-${seed}`,
    });
    const truth = (s.params as TrueParams | null) ?? drawParams(createRng(seed));
    const fund = simulateFund(sk, truth, { seed });
    const bytes = new TextEncoder().encode(JSON.stringify(fundToJson(fund)));
    const fundHash = sha256Hex(`simulation|${studyKey}|${r}`);
    const dHash = dataHash(fund);
    const inputKey = `simulations/${studyKey}/${fundHash}/${dHash}.json`;
    await deps.storage.put(inputKey, bytes);
    funds.push({
      fundIdentityHash: fundHash,
      dataHash: dHash,
      inputKey,
      inputSha256: sha256Hex(bytes),
      windows: planWindows(fundToJson(fund), resolved, fundHash),
      truth: { ...truth, replication: r },
    });
  }
  const { runId, tasks } = await deps.db.withOrg(PLATFORM_ORG, async (tx) => {
    const id = await insertRun(tx, {
      orgId: PLATFORM_ORG,
      by: s.by,
      kind: "simulation",
      configId: null,
      configVersion: 0,
      configHash: configHash(resolved),
      config: s.config,
      timeoutSeconds: DEFAULT_TIMEOUT_S,
      funds,
    });
    return { runId: id, tasks: await queuedTasks(tx, id) };
  });
  await dispatch(deps.queue, tasks);
  return runId;
}
