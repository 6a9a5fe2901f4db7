import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import type { ServiceInfo, ServiceName } from "@portal/api";
import { ServingStatus } from "@portal/api";
import type { Clients } from "./clients.js";
import type { Logger } from "./logger.js";
import type { Platform } from "./platform.js";

/** What a service's handlers and workers receive: the seams, a logger and clients of other services. */
export interface ServiceContext {
  readonly name: ServiceName;
  readonly mode: "embedded" | "distributed";
  readonly version: string;
  readonly log: Logger;
  readonly platform: Platform;
  readonly clients: Clients;
}

/**
 * A service as the runtime hosts it, alone (`services/<name>/src/main.ts`) or with the others in
 * one process (`embedded/`). Only these three things differ between services.
 */
export interface ServiceDefinition {
  readonly name: ServiceName;
  /** drizzle-kit migrations folder of the service's schema, if it has one. */
  readonly migrations?: string;
  /** Registers the service's RPC handlers. */
  routes(ctx: ServiceContext): (router: ConnectRouter) => void;
  /** Starts background work (queue consumers, relays); returns how to stop it. */
  start?(ctx: ServiceContext): Promise<(graceMs: number) => Promise<void>>;
}

export const VERSION = "0.1.0";

/** The GetServiceInfo answer every service gives: its version, mode and dependency checks. */
export async function serviceInfo(ctx: ServiceContext): Promise<ServiceInfo> {
  const checks = await ctx.platform.check();
  return {
    $typeName: "portal.common.v1.ServiceInfo",
    service: ctx.name,
    version: ctx.version,
    mode: ctx.mode,
    status: checks.every((c) => c.ok) ? ServingStatus.SERVING : ServingStatus.NOT_SERVING,
    checks: checks.map((c) => ({ $typeName: "portal.common.v1.DependencyCheck", ...c })),
  };
}

/** Registers `GetServiceInfo` for a service whose descriptor has it, as every service's does. */
export function infoRoutes(desc: DescService, ctx: ServiceContext) {
  return (router: ConnectRouter) =>
    router.service(desc, {
      getServiceInfo: async (_req: unknown, _hctx: HandlerContext) => ({
        info: await serviceInfo(ctx),
      }),
    } as never);
}
