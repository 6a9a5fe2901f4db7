import { fileURLToPath } from "node:url";
import type { HandlerContext } from "@connectrpc/connect";
import type { ServiceContext, ServiceDefinition } from "@portal/runtime";
import type { Background, BackgroundOptions } from "./background.js";
import { startBackground } from "./background.js";
import type { FundCatalog } from "./domain/fund-inputs.js";
import { fundsServiceCatalog } from "./funds-catalog.js";
import { runRoutes } from "./handlers/run-routes.js";

export interface RunsServiceOptions extends Partial<BackgroundOptions> {
  /** Where the latest fund versions come from; default the funds service. */
  catalog?: (ctx: ServiceContext) => (hctx: HandlerContext) => FundCatalog;
}

export const RUNS_DEFAULTS: BackgroundOptions = {
  reconcileEveryMs: 10_000,
  // Longer than a task waits in the queue behind others on a busy cluster, so the reconciler
  // re-publishes only what a lost stream dropped.
  staleTaskMs: 15 * 60_000,
  relayEveryMs: 1000,
};

/**
 * The runs service: model configs, runs and their tasks, logs, posterior results and the
 * simulation lab; its background work applies worker reports, finalizes runs, relays the outbox
 * and reconciles.
 */
export function createRunsService(o: RunsServiceOptions = {}): ServiceDefinition {
  let bg: Background | undefined;
  return {
    name: "runs",
    migrations: fileURLToPath(new URL("../migrations", import.meta.url)),
    routes: (ctx) =>
      runRoutes({
        ctx,
        catalog: (o.catalog ?? fundsServiceCatalog)(ctx),
        kick: () => bg?.kick(),
      }),
    async start(ctx) {
      bg = await startBackground(ctx, { ...RUNS_DEFAULTS, ...o });
      const started = bg;
      return (graceMs) => started.stop(graceMs);
    },
  };
}

export const runsService: ServiceDefinition = createRunsService();

export { cancelRun, retryRun } from "./domain/cancel-retry.js";
export { createConfig, listConfigs } from "./domain/configs.js";
export { finalizeRun } from "./domain/finalize.js";
export type { FundCatalog } from "./domain/fund-inputs.js";
export { modelInputKey } from "./domain/fund-inputs.js";
export { relayOutbox } from "./domain/outbox.js";
export { getRun, listResults, listTasks } from "./domain/queries.js";
export { reconcileOnce } from "./domain/reconcile.js";
export { submitRun } from "./domain/submit-run.js";
export { loadRunsEnv } from "./env.js";
