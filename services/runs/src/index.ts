import { RunService } from "@portal/api/runs/v1/runs";
import type { ServiceDefinition } from "@portal/runtime";
import { infoRoutes } from "@portal/runtime";

/** The runs service: model configs, runs and their tasks, logs, posterior results and the simulation lab. */
export const runsService: ServiceDefinition = {
  name: "runs",
  routes: (ctx) => infoRoutes(RunService, ctx),
};
