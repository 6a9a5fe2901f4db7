import type { Interceptor } from "@connectrpc/connect";
import type { ServiceName } from "@portal/api";
import { z } from "zod";
import { networkClients } from "./clients.js";
import { baseEnvSchema, parseEnv } from "./env.js";
import { authorize, requestLog } from "./interceptors.js";
import { createLogger } from "./logger.js";
import { openPlatform } from "./platform.js";
import type { PrincipalVerifier } from "./principal.js";
import {
  createLocalPrincipalVerifier,
  createPrincipalSigner,
  createRemotePrincipalVerifier,
} from "./principal.js";
import type { HttpRoutes } from "./server/serve.js";
import { serve } from "./server/serve.js";
import { onShutdown } from "./server/shutdown.js";
import type { ServiceContext, ServiceDefinition } from "./service.js";
import { VERSION } from "./service.js";
import { startTracing, traceIncoming } from "./tracing.js";

const serviceUrl = z.url().optional();

export const standaloneEnvSchema = baseEnvSchema.extend({
  /** Base URLs of the other services (distributed mode), e.g. http://funds:8080. */
  GATEWAY_URL: serviceUrl,
  IDENTITY_URL: serviceUrl,
  FUNDS_URL: serviceUrl,
  RUNS_URL: serviceUrl,
  BILLING_URL: serviceUrl,
  SAMPLER_URL: serviceUrl,
  REPORTS_URL: serviceUrl,
  /** Base URL users reach the gateway at; download links are built on it. */
  PUBLIC_BASE_URL: z.url().default("http://localhost:8080"),
});

export type StandaloneEnv = z.infer<typeof standaloneEnvSchema>;

/** Verifies principal tokens against identity's JWKS, or against the configured key itself. */
export async function principalVerifier(env: {
  IDENTITY_JWKS_URL?: string | undefined;
  PRINCIPAL_SIGNING_JWK?: string | undefined;
}): Promise<PrincipalVerifier> {
  if (env.IDENTITY_JWKS_URL) return createRemotePrincipalVerifier(env.IDENTITY_JWKS_URL);
  if (env.PRINCIPAL_SIGNING_JWK)
    return createLocalPrincipalVerifier(
      (await createPrincipalSigner(JSON.parse(env.PRINCIPAL_SIGNING_JWK))).jwks,
    );
  throw new Error(
    "set IDENTITY_JWKS_URL (or PRINCIPAL_SIGNING_JWK) so that principal tokens can be verified",
  );
}

/**
 * Runs one service alone: `node services/<name>/dist/main.js`. Reads its configuration from the
 * environment, migrates its schema, serves its API and health endpoints, and shuts down cleanly.
 */
export async function runStandalone(
  def: ServiceDefinition,
  extra?: {
    http?: (ctx: ServiceContext, env: StandaloneEnv) => HttpRoutes | Promise<HttpRoutes>;
    apiPrefix?: string;
    /** Interceptors that run before authorisation (the gateway's edge authentication). */
    interceptors?: Interceptor[];
    /**
     * Interceptors and HTTP routes that need the service's context (the gateway's sessions);
     * added after `interceptors` and instead of `http`.
     */
    setup?: (
      ctx: ServiceContext,
      env: StandaloneEnv,
    ) => Promise<{ interceptors: Interceptor[]; http: HttpRoutes }>;
  },
  src: Record<string, string | undefined> = {},
): Promise<void> {
  const env = parseEnv(standaloneEnvSchema, src);
  const log = createLogger({ service: def.name, level: env.LOG_LEVEL });
  const sdk = startTracing({ service: def.name, otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT });
  const platform = await openPlatform(env, { publicBaseUrl: env.PUBLIC_BASE_URL });
  if (def.migrations) await platform.db.migrate(def.name, def.migrations);
  const urls: Record<ServiceName, string | undefined> = {
    gateway: env.GATEWAY_URL,
    identity: env.IDENTITY_URL,
    funds: env.FUNDS_URL,
    runs: env.RUNS_URL,
    billing: env.BILLING_URL,
    sampler: env.SAMPLER_URL,
    reports: env.REPORTS_URL,
  };
  const ctx: ServiceContext = {
    name: def.name,
    mode: "distributed",
    version: VERSION,
    log,
    platform,
    clients: networkClients(urls),
  };
  const verifier = await principalVerifier(env);
  const stopWork = def.start ? await def.start(ctx) : async () => {};
  const setup = extra?.setup ? await extra.setup(ctx, env) : undefined;
  const http = setup?.http ?? (extra?.http ? await extra.http(ctx, env) : undefined);
  const listener = await serve({
    port: env.PORT,
    host: env.HOST,
    log,
    routes: def.routes(ctx),
    interceptors: [
      traceIncoming,
      requestLog(log),
      ...(extra?.interceptors ?? []),
      ...(setup?.interceptors ?? []),
      authorize(verifier),
    ],
    ...(extra?.apiPrefix ? { apiPrefix: extra.apiPrefix } : {}),
    ...(http ? { http } : {}),
    ready: async () => {
      const checks = await platform.check();
      return { ok: checks.every((c) => c.ok), checks };
    },
  });
  onShutdown(log, env.SHUTDOWN_GRACE_SECONDS * 1000, [
    (grace) => listener.close(Math.min(grace, 10_000)),
    (grace) => stopWork(grace),
    (grace) => platform.close(grace),
    () => sdk.shutdown(),
  ]);
}
