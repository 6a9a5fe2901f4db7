import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { ConnectRouter } from "@connectrpc/connect";
import type { ServiceName } from "@portal/api";
import { billingService } from "@portal/billing-service";
import { fundsService } from "@portal/funds-service";
import {
  API_PREFIX,
  gatewayAuth,
  gatewayHttp,
  gatewayService,
  parseOidcEnv,
} from "@portal/gateway-service";
import {
  bootstrapSuperAdmin,
  createIdentityService,
  createOutboxMailer,
  identityService,
  jwksRoutes,
  PRODUCTION_PASSWORD_PARAMS,
  parseSecretBoxKey,
} from "@portal/identity-service";
import { reportsService } from "@portal/reports-service";
import { createRunsService, loadRunsEnv, runsService } from "@portal/runs-service";
import type { Logger, ServiceContext, ServiceDefinition } from "@portal/runtime";
import {
  authorize,
  baseEnvSchema,
  createLocalPrincipalVerifier,
  createLogger,
  createPrincipalSigner,
  embeddedKeys,
  inProcessClients,
  openPlatform,
  parseEnv,
  requestLog,
  serve,
  traceIncoming,
  VERSION,
} from "@portal/runtime";
import { createSamplerService, loadSamplerEnv, samplerService } from "@portal/sampler-service";
import { z } from "zod";

/** Every service the embedded process hosts; the gateway fronts them. */
export const definitions: ServiceDefinition[] = [
  identityService,
  fundsService,
  runsService,
  billingService,
  samplerService,
  reportsService,
  gatewayService,
];

export const embeddedEnvSchema = baseEnvSchema.extend({
  /** Base URL users reach this process at; defaults to http://localhost:PORT. */
  PUBLIC_BASE_URL: z.url().optional(),
  /** The first super admin, created at start when no user has this email yet. */
  BOOTSTRAP_ADMIN_EMAIL: z.string().optional(),
  /** Its password (12 characters at least); only read while the user does not exist. */
  BOOTSTRAP_ADMIN_PASSWORD: z.string().optional(),
  /** 32 bytes, base64: encrypts TOTP secrets. Unset: DATA_DIR/keys/mfa.key, created once. */
  MFA_ENCRYPTION_KEY: z.string().optional(),
});

/** The TOTP encryption key: configured, or kept under DATA_DIR/keys beside the other keys. */
async function mfaKey(dataDir: string, configured: string | undefined): Promise<Uint8Array> {
  if (configured) return parseSecretBoxKey(configured);
  const file = join(resolve(dataDir), "keys", "mfa.key");
  const existing = await readFile(file, "utf8").catch(() => undefined);
  if (existing) return parseSecretBoxKey(existing.trim());
  const key = randomBytes(32).toString("base64");
  // "wx": two processes starting at once cannot both write; the loser reads the winner's key.
  await writeFile(file, key, { mode: 0o600, flag: "wx" }).catch(() => undefined);
  return parseSecretBoxKey((await readFile(file, "utf8")).trim());
}

export interface Embedded {
  readonly port: number;
  readonly log: Logger;
  /** Stops serving, lets work in flight finish within `graceMs`, closes the data folder. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts the whole system in this process on embedded defaults: PGlite under DATA_DIR/pg, objects
 * under DATA_DIR/objects, the database-backed queue and bus, keys under DATA_DIR/keys. Setting
 * DATABASE_URL, NATS_URL or S3_BUCKET swaps in the real thing for that seam.
 */
export async function startEmbedded(src: Record<string, string | undefined>): Promise<Embedded> {
  const env = parseEnv(embeddedEnvSchema, src);
  const log = createLogger({ service: "portal", level: env.LOG_LEVEL });
  const publicBaseUrl = env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`;
  const keys = await embeddedKeys(env.DATA_DIR);
  const platform = await openPlatform(env, { publicBaseUrl, fileSigningKey: keys.fileSigningKey });
  for (const d of definitions) if (d.migrations) await platform.db.migrate(d.name, d.migrations);
  if (env.BOOTSTRAP_ADMIN_EMAIL && env.BOOTSTRAP_ADMIN_PASSWORD) {
    const b = await bootstrapSuperAdmin(
      platform.db,
      { email: env.BOOTSTRAP_ADMIN_EMAIL, password: env.BOOTSTRAP_ADMIN_PASSWORD },
      { passwordParams: PRODUCTION_PASSWORD_PARAMS, now: new Date() },
    );
    if (b.created) log.info({ userId: b.userId }, "created the first super admin");
  }

  const signer = await createPrincipalSigner(keys.principalJwk);
  const verifier = createLocalPrincipalVerifier(signer.jwks);
  const serverInterceptors = [traceIncoming, requestLog(log), authorize(verifier)];
  const routes = new Map<ServiceName, (router: ConnectRouter) => void>();
  const clients = inProcessClients((name) => routes.get(name), serverInterceptors);
  const contexts = new Map<ServiceName, ServiceContext>();
  // Identity mails through the outbox folder here (see createOutboxMailer).
  const mailer = createOutboxMailer(
    join(resolve(env.DATA_DIR), "outbox"),
    log.child({ svc: "mail" }),
  );
  const mfaEncryptionKey = await mfaKey(env.DATA_DIR, env.MFA_ENCRYPTION_KEY);
  const oidc = parseOidcEnv(src, publicBaseUrl);
  // Services configured from this process's environment: identity's mailer and keys, the runs
  // service's reconciler and relay (RUNS_*), the sampler's worker threads (SAMPLER_*).
  const configured: Partial<Record<ServiceName, ServiceDefinition>> = {
    identity: createIdentityService({ mailer, mfaEncryptionKey, publicBaseUrl }),
    runs: createRunsService(loadRunsEnv(src)),
    sampler: createSamplerService(loadSamplerEnv(src)),
  };
  const hosted = definitions.map((d) => configured[d.name] ?? d);
  for (const d of hosted) {
    const ctx: ServiceContext = {
      name: d.name,
      mode: "embedded",
      version: VERSION,
      log: log.child({ svc: d.name }),
      platform,
      clients,
    };
    contexts.set(d.name, ctx);
    routes.set(d.name, d.routes(ctx));
  }
  const stops = await Promise.all(
    hosted.map(async (d) =>
      d.start ? d.start(contexts.get(d.name) as ServiceContext) : async () => {},
    ),
  );

  const gatewayCtx = contexts.get("gateway") as ServiceContext;
  const web = gatewayHttp(gatewayCtx, src.WEB_DIR ? resolve(src.WEB_DIR) : undefined);
  const jwks = jwksRoutes(signer.jwks);
  const auth = gatewayAuth(gatewayCtx, signer, { publicBaseUrl, oidc });
  const listener = await serve({
    port: env.PORT,
    host: env.HOST,
    log,
    routes: routes.get("gateway") as (router: ConnectRouter) => void,
    apiPrefix: API_PREFIX,
    interceptors: [traceIncoming, requestLog(log), auth.interceptor, authorize(verifier)],
    http: async (req, res) =>
      (await auth.routes(req, res)) || (await jwks(req, res)) || web(req, res),
    ready: async () => {
      const checks = await platform.check();
      return { ok: checks.every((c) => c.ok), checks };
    },
  });
  log.info(
    {
      url: publicBaseUrl.replace(`:${env.PORT}`, `:${listener.port}`),
      dataDir: resolve(env.DATA_DIR),
    },
    "portal is up",
  );

  return {
    port: listener.port,
    log,
    async stop(graceMs = 25_000) {
      await listener.close(Math.min(graceMs, 10_000));
      await Promise.all(stops.map((s) => s(graceMs)));
      await platform.close(graceMs);
    },
  };
}
