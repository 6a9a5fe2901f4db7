import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import { RunService } from "@portal/api/runs/v1/runs";
import type { ServiceContext } from "@portal/runtime";
import { requirePrincipal, serviceInfo } from "@portal/runtime";
import { cancelRun, retryRun } from "../domain/cancel-retry.js";
import { configHistory, createConfig, deleteConfig, listConfigs } from "../domain/configs.js";
import type { FundCatalog } from "../domain/fund-inputs.js";
import {
  getRun,
  listLogs,
  listResults,
  listRuns,
  listSimulationResults,
  listTasks,
} from "../domain/queries.js";
import { PLATFORM_ORG, parseStudy, submitSimulationStudy } from "../domain/simulation.js";
import { submitRun } from "../domain/submit-run.js";
import { configToProto, orgOf, pageOf, runToProto, TASK_STATUS, uuidField } from "./convert.js";
import { toConnectError } from "./errors.js";

export interface RunRoutesDeps {
  ctx: ServiceContext;
  catalog: (hctx: HandlerContext) => FundCatalog;
  /** Wakes the outbox relay after a change that wrote to the outbox. */
  kick: () => void;
}

/** Wraps every handler so domain errors become Connect codes in one place. */
function mapped<T extends object>(impl: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, fn] of Object.entries(impl) as [
    string,
    (r: unknown, c: HandlerContext) => Promise<unknown>,
  ][]) {
    out[k] = async (req: unknown, hctx: HandlerContext) => {
      try {
        return await fn(req, hctx);
      } catch (e) {
        throw toConnectError(e);
      }
    };
  }
  return out as T;
}

/** Thin handlers: check and translate, then delegate to the domain. */
export const runRoutes = (d: RunRoutesDeps) => (router: ConnectRouter) => {
  const { db, queue, storage } = d.ctx.platform;
  const caller = (hctx: HandlerContext) => {
    const p = requirePrincipal(hctx);
    return { orgId: orgOf(p.orgId), by: p.subject };
  };
  const impl = mapped({
    getServiceInfo: async () => ({ info: await serviceInfo(d.ctx) }),

    async createModelConfig(req: { name: string; configJson: string }, hctx: HandlerContext) {
      const c = caller(hctx);
      return {
        config: configToProto(await createConfig(db, c.orgId, c.by, req.name, req.configJson)),
      };
    },
    async listModelConfigs(_req: unknown, hctx: HandlerContext) {
      const c = caller(hctx);
      return { configs: (await listConfigs(db, c.orgId)).map(configToProto) };
    },
    async getModelConfigHistory(req: { configId: string }, hctx: HandlerContext) {
      const c = caller(hctx);
      const id = uuidField(req.configId, "config_id");
      return { versions: (await configHistory(db, c.orgId, id)).map(configToProto) };
    },
    async deleteModelConfig(req: { configId: string }, hctx: HandlerContext) {
      const c = caller(hctx);
      const id = uuidField(req.configId, "config_id");
      return { config: configToProto(await deleteConfig(db, c.orgId, c.by, id)) };
    },

    async submitRun(
      req: {
        configId: string;
        funds: { fundIdentityHash: string; dataHash: string }[];
        timeoutSeconds: number;
      },
      hctx: HandlerContext,
    ) {
      const c = caller(hctx);
      const runId = await submitRun(
        { db, queue, storage, catalog: d.catalog(hctx) },
        {
          orgId: c.orgId,
          by: c.by,
          configId: uuidField(req.configId, "config_id"),
          funds: req.funds.map((f) => ({
            fundIdentityHash: f.fundIdentityHash.toLowerCase(),
            dataHash: f.dataHash.toLowerCase(),
          })),
          timeoutSeconds: req.timeoutSeconds,
        },
      );
      return { run: runToProto(await getRun(db, c.orgId, runId)) };
    },
    async getRun(req: { runId: string }, hctx: HandlerContext) {
      const c = caller(hctx);
      return { run: runToProto(await getRun(db, c.orgId, uuidField(req.runId, "run_id"))) };
    },
    async listRuns(req: { pageSize: number; pageToken: string }, hctx: HandlerContext) {
      const c = caller(hctx);
      const page = pageOf(req.pageSize, req.pageToken, 50, 500);
      const runs = await listRuns(db, c.orgId, { limit: page.limit + 1, offset: page.offset });
      const more = runs.length > page.limit;
      return {
        runs: runs.slice(0, page.limit).map(runToProto),
        nextPageToken: more
          ? Buffer.from(String(page.offset + page.limit)).toString("base64url")
          : "",
      };
    },
    async listRunTasks(req: { runId: string }, hctx: HandlerContext) {
      const c = caller(hctx);
      const tasks = await listTasks(db, c.orgId, uuidField(req.runId, "run_id"));
      return { tasks: tasks.map((t) => ({ ...t, status: TASK_STATUS[t.status] ?? 0 })) };
    },
    async listRunLogs(
      req: { runId: string; afterSeq: bigint; pageSize: number },
      hctx: HandlerContext,
    ) {
      const c = caller(hctx);
      const limit = req.pageSize <= 0 ? 500 : Math.min(req.pageSize, 5000);
      return {
        lines: await listLogs(db, c.orgId, uuidField(req.runId, "run_id"), req.afterSeq, limit),
      };
    },
    async cancelRun(req: { runId: string }, hctx: HandlerContext) {
      const c = caller(hctx);
      const runId = uuidField(req.runId, "run_id");
      await cancelRun(db, c.orgId, runId);
      d.kick();
      return { run: runToProto(await getRun(db, c.orgId, runId)) };
    },
    async retryRun(req: { runId: string }, hctx: HandlerContext) {
      const c = caller(hctx);
      const runId = uuidField(req.runId, "run_id");
      await retryRun(db, queue, c.orgId, runId);
      return { run: runToProto(await getRun(db, c.orgId, runId)) };
    },
    async listPosteriorResults(req: { runId: string }, hctx: HandlerContext) {
      const c = caller(hctx);
      return { results: await listResults(db, c.orgId, uuidField(req.runId, "run_id")) };
    },

    async submitSimulationStudy(
      req: {
        replications: number;
        seed: number;
        skeletonJson: string;
        parametersJson: string;
        configJson: string;
      },
      hctx: HandlerContext,
    ) {
      const p = requirePrincipal(hctx);
      const study = parseStudy({ ...req, by: p.subject });
      d.ctx.log.info(
        { admin: p.subject, replications: req.replications },
        "simulation study submitted",
      );
      return { runId: await submitSimulationStudy({ db, queue, storage }, study) };
    },
    async getSimulationStudy(req: { runId: string }, hctx: HandlerContext) {
      requirePrincipal(hctx);
      const runId = uuidField(req.runId, "run_id");
      return {
        run: runToProto(await getRun(db, PLATFORM_ORG, runId)),
        results: await listSimulationResults(db, PLATFORM_ORG, runId),
      };
    },
  });
  // The handlers' request types are the generated messages' shapes; the service checks them.
  router.service(RunService, impl as never);
};
